import type { Sequelize } from 'sequelize';
import { isHuman, requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { systemActors } from '../auth/system-actors.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { AuthenticationError, ConflictError, InputError, NotAllowedError, NotFoundError } from '../errors.js';
import type { Encryptor } from '../secrets/encryption.js';
import { INSTALL_TICKET_TTL_MS, readInstallTicket, signInstallTicket } from './install-ticket.js';
import { generateLinkCode, hashLinkCode, LINK_CODE_TTL_MS } from './link-code.js';
import type { SlackCardRepository, SlackRunCard } from './slack-card.repository.js';
import type { SlackIdentityRepository } from './slack-identity.repository.js';
import type { SlackThread, SlackThreadRepository } from './slack-thread.repository.js';
import { botTokenAad, type SlackInstallationRepository, type SlackInstallationRow } from './slack-installation.repository.js';
import type { CreateSlackInstallationInput } from './slack.schemas.js';

/** A workspace as the Slack front end serves it: whose it is and how to talk to it. */
export interface SlackWorkspace {
  tenantId: string;
  teamId: string;
  botUserId: string | null;
  defaultChannel: string | null;
  /** the installation's bot token; undefined for the server's own workspace (SLACK_BOT_TOKEN) */
  botToken?: string;
}

/** What an installation looks like to its tenant's admins: never the token. */
export interface SlackInstallationView {
  id: string;
  teamId: string;
  teamName: string;
  botUserId: string | null;
  defaultChannel: string | null;
  installedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What Slack says about a user (users.info), as far as identity goes. */
export interface SlackProfile {
  email: string | null;
  /** Slack confirmed the address; an unconfirmed one matches nobody */
  emailConfirmed: boolean;
  isBot: boolean;
}

interface Deps {
  sequelize: Sequelize;
  installations: SlackInstallationRepository;
  identity: SlackIdentityRepository;
  cards: SlackCardRepository;
  threads: SlackThreadRepository;
  encryptor: Encryptor;
  audit: AuditLog;
  clock: Clock;
  /** the tenant's default notification channel: an installation's default_channel sets it */
  notificationSettings?: { setTenantDefault(tenantId: string, channel: string | null): Promise<void> };
}

const LINK_ATTEMPTS_PER_MINUTE = 10;

/**
 * Slack workspaces belong to tenants, Slack users act as Atlantas users of that tenant. The rules:
 * a team id has one owner (an installation, or the server's SLACK_BOT_TOKEN for the default
 * tenant); a Slack user is the user linked with a one-time code, else the tenant's user with the
 * same Slack-confirmed email, else nobody; tokens are sealed at rest and never leave core except
 * to the front end that calls Slack with them.
 */
export class SlackService {
  private serverWorkspace: { teamId: string; tenantId: string; botUserId: string | null; defaultChannel: string | null } | undefined;
  private readonly linkAttempts: RateLimiter;

  constructor(private readonly deps: Deps) {
    this.linkAttempts = new RateLimiter(LINK_ATTEMPTS_PER_MINUTE, () => deps.clock.now().getTime());
  }

  /** The workspace of SLACK_BOT_TOKEN (learned by auth.test at start) serves the default tenant. */
  adoptServerWorkspace(ws: { teamId: string; tenantId: string; botUserId: string | null; defaultChannel: string | null }): void {
    this.serverWorkspace = ws;
  }

  /** Who owns this team, or null: a workspace no tenant owns is served nothing. */
  async workspace(teamId: string): Promise<SlackWorkspace | null> {
    const sw = this.serverWorkspace;
    if (sw && sw.teamId === teamId) return { ...sw };
    const row = await this.deps.installations.byTeam(teamId);
    if (!row) return null;
    return {
      tenantId: row.tenantId, teamId: row.teamId, botUserId: row.botUserId, defaultChannel: row.defaultChannel,
      botToken: this.deps.encryptor.openString(row.botToken, botTokenAad(row.teamId)),
    };
  }

  /** The tenant's workspace that notifications go to: its first installation, or the server's for the default tenant. */
  async workspaceOfTenant(tenantId: string): Promise<SlackWorkspace | null> {
    const [first] = await this.deps.installations.list(tenantId);
    if (first) return this.workspace(first.teamId);
    return this.serverWorkspace?.tenantId === tenantId ? { ...this.serverWorkspace } : null;
  }

  async install(actor: Actor, input: CreateSlackInstallationInput): Promise<SlackInstallationView> {
    requirePermission(actor, 'tenant:manage');
    if (this.serverWorkspace?.teamId === input.team_id && this.serverWorkspace.tenantId !== actor.tenantId) {
      throw new ConflictError(`Slack workspace ${input.team_id} is the server's own (SLACK_BOT_TOKEN) and serves the default tenant`, { code: 'slack.team_taken' });
    }
    const installed = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const before = await this.deps.installations.byTeam(input.team_id, transaction);
      const row = await this.deps.installations.upsert({
        tenantId: actor.tenantId, teamId: input.team_id, teamName: input.team_name ?? '', botUserId: input.bot_user_id ?? null,
        botToken: this.deps.encryptor.seal(input.bot_token, botTokenAad(input.team_id)), defaultChannel: input.default_channel ?? null, installedBy: actor.name,
      }, transaction);
      if (!row) throw new ConflictError(`Slack workspace ${input.team_id} is connected to another tenant; it must be uninstalled there first`, { code: 'slack.team_taken' });
      await this.deps.audit.record(actor, before ? 'slack.reinstall' : 'slack.install', { type: 'slack_installation', id: row.id }, { team_id: row.teamId, default_channel: row.defaultChannel }, { transaction });
      return view(row);
    });
    if (input.default_channel) await this.deps.notificationSettings?.setTenantDefault(actor.tenantId, input.default_channel);
    return installed;
  }

  async list(actor: Actor): Promise<SlackInstallationView[]> {
    requirePermission(actor, 'tenant:read');
    return (await this.deps.installations.list(actor.tenantId)).map(view);
  }

  async uninstall(actor: Actor, teamId: string): Promise<void> {
    requirePermission(actor, 'tenant:manage');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      if (!(await this.deps.installations.delete(actor.tenantId, teamId, transaction))) {
        throw new NotFoundError(`Slack workspace ${teamId} is not installed in this tenant`, { code: 'slack.installation_not_found' });
      }
      await this.deps.identity.unlinkTeam(teamId, transaction);
      await this.deps.audit.record(actor, 'slack.uninstall', { type: 'slack_installation' }, { team_id: teamId }, { transaction });
    });
  }

  /** Slack's signed app_uninstalled event: the token is dead, so the installation and its links go. */
  async uninstalledInSlack(teamId: string): Promise<boolean> {
    const row = await this.deps.installations.byTeam(teamId);
    if (!row) return false;
    await this.uninstall(systemActors.slackUninstall(row.tenantId), teamId);
    return true;
  }

  /** A ticket for GET /slack/install: the OAuth flow it starts installs into this admin's tenant. */
  installTicket(actor: Actor): { ticket: string; expiresAt: Date } {
    requirePermission(actor, 'tenant:manage');
    if (!isHuman(actor) || !actor.userId) throw new NotAllowedError('only a person installs Slack workspaces', { code: 'forbidden' });
    const expiresAt = this.deps.clock.now().getTime() + INSTALL_TICKET_TTL_MS;
    return { ticket: signInstallTicket(this.ticketKey(), { tenantId: actor.tenantId, userId: actor.userId, expiresAt }), expiresAt: new Date(expiresAt) };
  }

  /** Refuses a forged or expired ticket before any redirect to Slack. */
  checkInstallTicket(ticket: string): void {
    if (!readInstallTicket(this.ticketKey(), ticket, this.deps.clock.now().getTime())) {
      throw new AuthenticationError('this install link is invalid or expired; ask for a new one with POST /api/v1/slack/install-links', { code: 'slack.install_ticket_invalid' });
    }
  }

  /** The end of the OAuth flow: stores what Slack granted, in the tenant of the admin who holds the ticket. */
  async installFromOAuth(ticket: string, granted: { teamId: string; teamName: string; botToken: string; botUserId: string | null; channel: string | null }): Promise<SlackInstallationView> {
    const t = readInstallTicket(this.ticketKey(), ticket, this.deps.clock.now().getTime());
    if (!t) throw new AuthenticationError('the install link expired during the Slack authorization; start again', { code: 'slack.install_ticket_invalid' });
    const admin = await this.deps.identity.userById(t.tenantId, t.userId);
    if (!admin || admin.role !== 'admin') throw new NotAllowedError('the admin who started this install is no longer an admin of the tenant', { code: 'forbidden' });
    const actor: Actor = { kind: 'user', tenantId: admin.tenantId, userId: admin.id, role: admin.role, name: admin.email, via: 'slack', isPlatformAdmin: false };
    return this.install(actor, {
      team_id: granted.teamId, team_name: granted.teamName, bot_token: granted.botToken, bot_user_id: granted.botUserId ?? undefined,
      default_channel: granted.channel ?? undefined,
    });
  }

  /**
   * The Actor a Slack user acts as, via slack, or null when they match nobody (they may then only
   * ask for help and link). Linked first; else Slack's confirmed email, within the team's tenant.
   */
  async identify(ws: SlackWorkspace, slackUserId: string, profile: () => Promise<SlackProfile | null>): Promise<Actor | null> {
    const linked = await this.deps.identity.linkedUser(ws.tenantId, ws.teamId, slackUserId);
    const user = linked ?? (await this.byEmail(ws.tenantId, profile));
    if (!user) return null;
    return { kind: 'user', tenantId: user.tenantId, userId: user.id, role: user.role, name: user.email, via: 'slack', isPlatformAdmin: false };
  }

  /** POST /api/v1/users/me/slack-link: a code the caller types as `/atlantas link <code>` within 10 minutes. */
  async createLinkCode(actor: Actor): Promise<{ code: string; expiresAt: Date }> {
    if (!isHuman(actor) || !actor.userId) throw new NotAllowedError('only a person links a Slack account, with their own login or token', { code: 'forbidden' });
    const code = generateLinkCode();
    const expiresAt = new Date(this.deps.clock.now().getTime() + LINK_CODE_TTL_MS);
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      await this.deps.identity.insertCode(hashLinkCode(code), actor.tenantId, actor.userId!, expiresAt, transaction);
      await this.deps.audit.record(actor, 'slack.link_code', { type: 'user', id: actor.userId }, { expires_at: expiresAt.toISOString() }, { transaction });
    });
    return { code, expiresAt };
  }

  /** `/atlantas link <code>`: spends the code once and links this Slack user to its owner. */
  async redeemLinkCode(ws: SlackWorkspace, slackUserId: string, code: string): Promise<Actor> {
    this.linkAttempts.take(`${ws.teamId}:${slackUserId}`, 'link attempts');
    const now = this.deps.clock.now();
    const userId = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const spent = await this.deps.identity.spendCode(hashLinkCode(code), ws.tenantId, now, transaction);
      if (!spent) return null;
      await this.deps.identity.link(ws.teamId, slackUserId, spent.tenantId, spent.userId, transaction);
      return spent.userId;
    });
    const actor = userId ? await this.identify(ws, slackUserId, async () => null) : null;
    if (!actor) {
      throw new InputError('this link code is unknown, used or expired; get a new one with POST /api/v1/users/me/slack-link', { code: 'slack.link_code_invalid' });
    }
    await this.deps.audit.record(actor, 'slack.link', { type: 'user', id: actor.userId }, { team_id: ws.teamId, slack_user_id: slackUserId });
    return actor;
  }

  /** Remembers where a run's card is, so any replica can update it. */
  async recordCard(actor: Actor, card: Omit<SlackRunCard, 'tenantId'>): Promise<void> {
    await this.deps.cards.insert({ ...card, tenantId: actor.tenantId });
  }

  cardOf(tenantId: string, runId: string): Promise<SlackRunCard | null> {
    return this.deps.cards.ofRun(tenantId, runId);
  }

  /** Remembers the message a later notification of `subject` replies under (a drift's detected message). */
  async recordThread(actor: Actor, subject: string, thread: SlackThread): Promise<void> {
    await this.deps.threads.put(actor.tenantId, subject, thread);
  }

  threadOf(tenantId: string, subject: string): Promise<SlackThread | null> {
    return this.deps.threads.get(tenantId, subject);
  }

  private async byEmail(tenantId: string, profile: () => Promise<SlackProfile | null>) {
    const p = await profile();
    if (!p || p.isBot || !p.emailConfirmed || !p.email) return null;
    return this.deps.identity.userByEmail(tenantId, p.email);
  }

  private ticketKey(): Buffer {
    return this.deps.encryptor.derive('slack-install-ticket');
  }
}

function view(row: SlackInstallationRow): SlackInstallationView {
  const { botToken: _token, tenantId: _tenant, ...rest } = row;
  return rest;
}
