import { PositionedTenantRows } from '../db/tenant-rows.js';
import type { Instance } from './instance.model.js';

export type NewInstance = Pick<Instance, 'tenantId' | 'name'> & Partial<Pick<Instance, 'version' | 'configJson'>>;
export type InstanceChanges = Partial<Pick<Instance, 'name' | 'status' | 'version' | 'configJson'>>;

/** Queries on instances, always within one tenant; plain objects out. */
export class InstanceRepository extends PositionedTenantRows<Instance, NewInstance, InstanceChanges> {}
