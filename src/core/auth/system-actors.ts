import type { Actor, Role, Via } from '../actor.js';

/**
 * Every actor that is not a person or a person's token, built here and only here, each with a
 * named role. They have roles like anyone else and go through the same permission checks;
 * `automation` marks the ones that may plan but must not apply without a human's approval
 * (an agent is not a human). The one exception is named in its policy: the Atlantis API.
 */
function system(name: string, tenantId: string, role: Role, via: Via, automation: boolean, extra: Partial<Actor> = {}): Actor {
  return { kind: 'system', tenantId, role, name, via, isPlatformAdmin: false, automation, ...extra };
}

export const systemActors = {
  /**
   * Callers of the Atlantis-compatible API (the shared X-Atlantis-Token), e.g. CI. Automated,
   * but its `/api/apply` applies without a further approval: that is Atlantis's contract, and
   * the operator opted in by setting ATLANTAS_API_SECRET.
   */
  atlantisApi: (tenantId: string) =>
    system('atlantis-api', tenantId, 'member', 'atlantis_api', true, { applyPolicy: 'atlantis-api-contract' }),
  /** plans the projects a pull request touches when it is opened or pushed to */
  autoplan: (tenantId: string) => system('github:autoplan', tenantId, 'member', 'github', true),
  /** releases a merged or closed pull request's locks and plans */
  prCleanup: (tenantId: string) => system('github:pr-closed', tenantId, 'member', 'github', true),
  /** reads settled runs to post their results on the pull request */
  prReporter: (tenantId: string) => system('pr-reporter', tenantId, 'viewer', 'github', true),
  /** the run engine reading a state's serial to tell whether a plan went stale */
  runEngine: (tenantId: string) => system('run-engine', tenantId, 'viewer', 'system', true),
  /** internal bookkeeping reads (linking a state to the project of the same name) */
  bookkeeping: (tenantId: string) => system('state', tenantId, 'viewer', 'system', true),
  /** ends kept plans nobody applied within ATLANTAS_PLAN_TTL, releasing their locks */
  planExpiry: (tenantId: string) => system('plan-expiry', tenantId, 'member', 'system', true),
  /** creates the first admin at first start */
  bootstrap: (tenantId: string) => system('bootstrap', tenantId, 'admin', 'system', false),
  /** the operator at the server's shell (`atlantas tenant create`): a platform admin */
  cli: (tenantId: string) => system('cli', tenantId, 'admin', 'cli', false, { isPlatformAdmin: true }),
  /** the /metrics scraper: reads server-wide figures (queue depth, terraform processes) and nothing else */
  metricsScraper: (tenantId: string) => system('metrics', tenantId, 'viewer', 'system', true, { scope: 'server:stats' }),
  /** renders notifications for Slack from the current rows: reads runs and locks, nothing else */
  slackNotifier: (tenantId: string) => system('slack-notifier', tenantId, 'viewer', 'slack', true),
  /** announces an agent's approval request on the run's pull request: reads runs and approvals, nothing else */
  githubNotifier: (tenantId: string) => system('github-notifier', tenantId, 'viewer', 'github', true),
  /** Slack telling us (a signed app_uninstalled event) that a workspace removed the app: forgets its installation */
  slackUninstall: (tenantId: string) => system('slack:app_uninstalled', tenantId, 'admin', 'slack', true),
  /** a scheduler agent (drift monitor, upgrade bot …): plans freely, never approves */
  agent: (agentName: string, tenantId: string) => system(agentName, tenantId, 'member', 'scheduler', true),
  /** raises and resolves the incidents of applies that errored or later succeeded (core/incidents) */
  incidents: (tenantId: string) => system('incidents', tenantId, 'member', 'system', true),
  /** a TFE run trigger queuing a downstream workspace's run after an upstream apply: automated, so its applies wait for a person */
  tfeRunTrigger: (tenantId: string) => system('tfe:run-trigger', tenantId, 'member', 'tfe', true),
};
