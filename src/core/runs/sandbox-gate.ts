import { UnavailableError } from '../errors.js';
import { INSTALL_HINT, type SandboxStatus } from '../terraform/sandbox-probe.js';

/**
 * Who may run terraform on this server, given the sandbox. With bwrap every tenant runs. Without
 * it under ATLANTAS_SANDBOX=auto, only the default tenant (the operator's own team) runs: another
 * tenant's pull-request code would run with this server's view of the machine, its secrets and
 * every other tenant's state. ATLANTAS_SANDBOX=off is the operator accepting that for all tenants.
 * Checked where runs are enqueued and approved (RunsService), so every front end gets it.
 */
export class SandboxGate {
  constructor(private readonly deps: { status: SandboxStatus; defaultTenantSlug: string; tenant(id: string): Promise<{ slug: string }> }) {}

  /** 'bwrap' when terraform runs sandboxed, 'off' otherwise (as /status reports it). */
  get state(): 'bwrap' | 'off' {
    return this.deps.status.profile ? 'bwrap' : 'off';
  }

  /** Why the sandbox is off, for /status; undefined when on. */
  get warning(): string | undefined {
    if (this.deps.status.profile) return undefined;
    return this.deps.status.mode === 'off'
      ? 'ATLANTAS_SANDBOX=off: terraform runs unsandboxed for every tenant'
      : `terraform runs unsandboxed (${this.deps.status.reason}); only the default tenant may run until you ${INSTALL_HINT} and restart`;
  }

  async assertMayRun(tenantId: string): Promise<void> {
    const { status } = this.deps;
    if (status.profile || status.mode === 'off') return;
    const tenant = await this.deps.tenant(tenantId);
    if (tenant.slug === this.deps.defaultTenantSlug) return;
    throw new UnavailableError(
      `runs of tenant ${tenant.slug} are refused: this server has no sandbox for terraform (${status.reason}). ` +
        `An operator must ${INSTALL_HINT} and restart Atlantas (ATLANTAS_SANDBOX=auto picks it up)`,
      { code: 'sandbox.unavailable' },
    );
  }
}
