/** A service one can ask the platform team for (atlasai-api.txt: "Submit a service request from the catalog"). */
export interface CatalogItem {
  id: string;
  name: string;
  description: string;
  /** the `details` fields the request should carry */
  fields: string[];
}

/** The catalog: small, and about what this platform provides. */
export const SERVICE_CATALOG: readonly CatalogItem[] = [
  { id: 'new-project', name: 'New Terraform project', description: 'Register a repository directory as a project (repository, path, workspace).', fields: ['repository_url', 'terraform_path', 'workspace'] },
  { id: 'role-change', name: 'Role change', description: 'Change a user\'s role in this tenant (viewer, member, admin).', fields: ['user_email', 'role'] },
  { id: 'state-access', name: 'State access', description: 'Read or write access to a state for a pipeline (a scoped API token).', fields: ['state', 'workspace', 'access'] },
  { id: 'cloud-credential', name: 'Cloud credential', description: 'Connect a cloud account for a project\'s runs.', fields: ['provider', 'project'] },
  { id: 'runner-pool', name: 'Runner pool', description: 'A dedicated pool of remote runners for a team.', fields: ['name', 'size'] },
];

export function catalogItem(id: string): CatalogItem | undefined {
  return SERVICE_CATALOG.find((i) => i.id === id);
}
