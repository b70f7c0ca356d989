/**
 * Slack mrkdwn control characters (`&`, `<`, `>`) in user or terraform text, escaped: a run title
 * or a workspace name cannot become a `<!channel>` mention or a disguised link. Shared by the
 * Slack bot's messages and the TFE notifications' Slack destination.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
