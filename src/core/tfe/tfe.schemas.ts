import { z } from 'zod';
import { cleanRepoRelDir } from '../projects/paths.js';

/** TFE's workspace name rule (letters, digits, `-`, `_`, up to 90); also a valid Atlantas state name. */
export const TfeWorkspaceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,89}$/, 'must be 1-90 letters, digits, "-" or "_", starting with a letter or digit');

export const TfeTagName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:_.=-]{0,254}$/, 'must be letters, digits, ":", "_", ".", "=" or "-", starting with a letter or digit');

const WorkingDirectory = z.string().max(500).transform((dir, ctx) => {
  if (dir === '') return '';
  const cleaned = cleanRepoRelDir(dir);
  if (cleaned === null) {
    ctx.addIssue({ code: 'custom', message: `"${dir}" escapes the configuration; use a directory inside it, or "" for its root` });
    return z.NEVER;
  }
  return cleaned === '.' ? '' : cleaned;
});

const TerraformVersion = z.string().regex(/^(latest|[0-9A-Za-z.~>=<!, -]{1,64})$/, 'must be "latest", a version such as 1.11.4, or a constraint such as "~> 1.11"');

const Labels = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'label keys are 1-63 letters, digits, "_", "." or "-"'),
  z.string().max(255),
).refine((l) => Object.keys(l).length <= 50, 'at most 50 labels');

const VcsRepo = z.object({
  identifier: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/repo'),
  branch: z.string().trim().max(255).optional(),
}).passthrough().transform((v) => ({ identifier: v.identifier, ...(v.branch ? { branch: v.branch } : {}) }));

/**
 * Workspace attributes a client may set. Unknown attributes are ignored (go-tfe sends many that
 * Atlantas has no use for, such as `allow-destroy-plan`); a known one with a bad value is refused.
 */
const WorkspaceAttributes = z.object({
  name: TfeWorkspaceName,
  description: z.string().max(1000),
  'execution-mode': z.enum(['local', 'remote', 'agent'], { message: 'must be local, remote or agent' }),
  'auto-apply': z.boolean(),
  'terraform-version': TerraformVersion,
  'working-directory': WorkingDirectory,
  'tag-names': z.array(TfeTagName).max(50),
  labels: Labels,
  'vcs-repo': VcsRepo.nullable(),
  'agent-pool-id': z.string().regex(/^[^/\s]{1,100}$/, 'must be an agent pool id').nullable(),
}).partial().passthrough();

const TagsRelationship = z.object({
  data: z.array(z.object({ type: z.literal('tags').optional(), attributes: z.object({ name: TfeTagName }) })).max(50),
});

/** A key-value tag (`tag-bindings`): stored as the tag `key` (empty value) or `key:value`, so search[tags] and the legacy tags see the same tags. */
export const TagBinding = z.object({
  key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.=-]{0,127}$/, 'tag keys are 1-128 letters, digits, "_", ".", "=" or "-"'),
  value: z.string().regex(/^[A-Za-z0-9:_.=-]{0,126}$/, 'tag values are up to 126 letters, digits, ":", "_", ".", "=" or "-"').default(''),
});
export type TagBinding = z.infer<typeof TagBinding>;

const TagBindingsRelationship = z.object({
  data: z.array(z.object({ type: z.literal('tag-bindings').optional(), attributes: TagBinding })).max(50),
});

/** `PATCH workspaces/{id}/tag-bindings`: `{"data":[{"type":"tag-bindings","attributes":{"key":"env","value":"prod"}}]}` */
export const TagBindingsDocument = TagBindingsRelationship;

export function tagOfBinding(b: TagBinding): string {
  return b.value ? `${b.key}:${b.value}` : b.key;
}

export function bindingOfTag(tag: string): TagBinding {
  const at = tag.indexOf(':');
  return at < 0 ? { key: tag, value: '' } : { key: tag.slice(0, at), value: tag.slice(at + 1) };
}

const Relationships = z.object({
  tags: TagsRelationship.optional(),
  'tag-bindings': TagBindingsRelationship.optional(),
  project: z.object({ data: z.object({ id: z.string().min(1).max(200) }).nullable() }).optional(),
  'agent-pool': z.object({ data: z.object({ id: z.string().regex(/^[^/\s]{1,100}$/) }).nullable() }).optional(),
}).passthrough();

/** `{"data":{"type":"workspaces","attributes":{…},"relationships":{…}}}` as go-tfe sends it. */
export const WorkspaceDocument = z.object({
  data: z.object({
    type: z.literal('workspaces', { message: 'must be "workspaces"' }).optional(),
    attributes: WorkspaceAttributes.default({}),
    relationships: Relationships.optional(),
  }),
});
export type WorkspaceDocument = z.infer<typeof WorkspaceDocument>;

/** What a create or update asks for, flattened from the document. */
export interface WorkspaceSettings {
  name?: string;
  description?: string;
  executionMode?: 'local' | 'remote' | 'agent';
  autoApply?: boolean;
  terraformVersion?: string;
  workingDirectory?: string;
  tags?: string[];
  labels?: Record<string, string>;
  vcsRepo?: { identifier: string; branch?: string } | null;
  agentPoolId?: string | null;
  /** an Atlantas project (id or name) whose state this workspace names */
  project?: string | null;
}

export function workspaceSettings(doc: WorkspaceDocument): WorkspaceSettings {
  const a = doc.data.attributes;
  const r = doc.data.relationships;
  const tags = [...(a['tag-names'] ?? []), ...(r?.tags?.data.map((t) => t.attributes.name) ?? []), ...(r?.['tag-bindings']?.data.map((t) => tagOfBinding(t.attributes)) ?? [])];
  const settings: WorkspaceSettings = {
    name: a.name, description: a.description, executionMode: a['execution-mode'], autoApply: a['auto-apply'],
    terraformVersion: a['terraform-version'], workingDirectory: a['working-directory'], labels: a.labels, vcsRepo: a['vcs-repo'],
    agentPoolId: r?.['agent-pool'] !== undefined ? (r['agent-pool'].data?.id ?? null) : a['agent-pool-id'],
    tags: a['tag-names'] !== undefined || r?.tags || r?.['tag-bindings'] ? [...new Set(tags)] : undefined,
    project: r?.project !== undefined ? (r.project.data?.id ?? null) : undefined,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as WorkspaceSettings;
}

/** `{"data":{"attributes":{"reason":"Locked by Terraform"}}}`; the body may be absent. */
export const LockDocument = z.object({
  data: z.object({ attributes: z.object({ reason: z.string().max(1000).optional() }).passthrough().optional() }).passthrough().optional(),
}).passthrough();

/** `POST/DELETE workspaces/{id}/relationships/tags`: `{"data":[{"type":"tags","attributes":{"name":"app"}}]}` */
export const TagsDocument = TagsRelationship;

/** `POST workspaces/{id}/state-versions`, go-tfe's StateVersionCreateOptions. */
export const StateVersionDocument = z.object({
  data: z.object({
    type: z.literal('state-versions', { message: 'must be "state-versions"' }).optional(),
    attributes: z.object({
      serial: z.number().int().min(0, 'must be a non-negative integer'),
      md5: z.string().regex(/^[0-9a-f]{32}$/, 'must be the hex MD5 of the state'),
      lineage: z.string().min(1).max(256).optional(),
      force: z.boolean().optional(),
      state: z.string().optional(),
      'json-state': z.string().optional(),
      'json-state-outputs': z.string().optional(),
    }).passthrough(),
  }).passthrough(),
});
export type StateVersionDocument = z.infer<typeof StateVersionDocument>;

/** `POST users/{id}/authentication-tokens` */
export const AuthenticationTokenDocument = z.object({
  data: z.object({
    attributes: z.object({
      description: z.string().trim().max(200).optional(),
      'expired-at': z.string().datetime({ offset: true, message: 'must be an RFC 3339 time such as 2027-01-01T00:00:00Z' }).nullable().optional(),
    }).passthrough().default({}),
  }).passthrough().default({ attributes: {} }),
}).passthrough();
export type AuthenticationTokenDocument = z.infer<typeof AuthenticationTokenDocument>;

const VariableAttributes = z.object({
  key: z.string().min(1, 'is required').max(128),
  value: z.string().max(256 * 1024, 'must be at most 256 KiB'),
  category: z.enum(['terraform', 'env'], { message: 'must be terraform or env' }),
  hcl: z.boolean(),
  sensitive: z.boolean(),
  description: z.string().max(512),
}).partial().passthrough();

/** `{"data":{"type":"vars","attributes":{"key","value","category","hcl","sensitive","description"}}}` */
export const VariableDocument = z.object({
  data: z.object({ type: z.literal('vars', { message: 'must be "vars"' }).optional(), attributes: VariableAttributes.default({}) }).passthrough(),
});
export type VariableInput = Pick<z.infer<typeof VariableAttributes>, 'key' | 'value' | 'category' | 'hcl' | 'sensitive' | 'description'>;

const RefList = (type: string) => z.object({
  data: z.array(z.object({ id: z.string().min(1).max(200), type: z.literal(type, { message: `must be "${type}"` }).optional() }).passthrough()).max(500),
});

const VarsetAttributes = z.object({
  name: z.string().trim().min(1, 'is required').max(128),
  description: z.string().max(1000),
  global: z.boolean(),
  priority: z.boolean(),
}).partial().passthrough();

/**
 * `{"data":{"type":"varsets","attributes":{"name","description","global","priority"},
 * "relationships":{"workspaces":{"data":[{"id","type":"workspaces"}]},"vars":{"data":[{"type":"vars","attributes":{…}}]}}}}`
 */
export const VarsetDocument = z.object({
  data: z.object({
    type: z.literal('varsets', { message: 'must be "varsets"' }).optional(),
    attributes: VarsetAttributes.default({}),
    relationships: z.object({
      workspaces: RefList('workspaces').optional(),
      vars: z.object({ data: z.array(z.object({ type: z.literal('vars').optional(), attributes: VariableAttributes.default({}) }).passthrough()).max(500) }).optional(),
    }).passthrough().optional(),
  }).passthrough(),
});
export type VarsetDocument = z.infer<typeof VarsetDocument>;

/** `POST/DELETE varsets/{id}/relationships/workspaces`: `{"data":[{"type":"workspaces","id":"ws-…"}]}` */
export const WorkspaceRefsDocument = RefList('workspaces');
/** POST workspaces/{id}/configuration-versions: go-tfe sends `auto-queue-runs`, `speculative`, `provisional`. */
export const ConfigurationVersionDocument = z.object({
  data: z.object({
    attributes: z.object({ 'auto-queue-runs': z.boolean(), speculative: z.boolean(), provisional: z.boolean() }).partial().passthrough().default({}),
  }).passthrough().default({ attributes: {} }),
}).passthrough();

const RelId = (type: string) => z.object({ data: z.object({ id: z.string().regex(/^[^/\s]{1,200}$/, `must be a ${type} id`) }).passthrough() });
const Address = z.string().min(1).max(1024);

/** POST /api/v2/runs as go-tfe sends it (unknown attributes such as `refresh`, `save-plan` are ignored). */
export const RunDocument = z.object({
  data: z.object({
    attributes: z.object({
      'is-destroy': z.boolean(),
      'refresh-only': z.boolean(),
      'plan-only': z.boolean(),
      message: z.string().max(4000),
      'target-addrs': z.array(Address).max(256).nullable(),
      'replace-addrs': z.array(Address).max(256).nullable(),
      variables: z.array(z.object({ key: z.string().min(1).max(255), value: z.string().max(65_536) })).max(256).nullable(),
      'auto-apply': z.boolean().nullable(),
    }).partial().passthrough().default({}),
    relationships: z.object({
      workspace: RelId('workspace'),
      'configuration-version': RelId('configuration version').optional(),
    }).passthrough(),
  }).passthrough(),
}).passthrough();

/** actions/apply, actions/confirm, discard, cancel: an optional `{"comment": "…"}`. */
export const RunActionDocument = z.object({ comment: z.string().max(4000).optional() }).passthrough();

/** POST workspaces/{id}/run-triggers: `relationships.sourceable` names the upstream workspace. */
export const RunTriggerDocument = z.object({
  data: z.object({ relationships: z.object({ sourceable: RelId('workspace') }).passthrough() }).passthrough(),
}).passthrough();
