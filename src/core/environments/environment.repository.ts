import { TenantRows } from '../db/tenant-rows.js';
import type { Environment } from './environment.model.js';

type Writable = 'name' | 'cloudProvider' | 'region' | 'terraformWorkspace' | 'repositoryUrl' | 'instanceId' | 'cloudCredentialId';
export type NewEnvironment = Pick<Environment, 'tenantId' | 'name' | 'cloudProvider'> & Partial<Pick<Environment, Writable>>;
export type EnvironmentChanges = Partial<Pick<Environment, Writable>>;

/** Queries on environments, always within one tenant; plain objects out. */
export class EnvironmentRepository extends TenantRows<Environment, NewEnvironment, EnvironmentChanges> {}
