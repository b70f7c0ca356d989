import type { CloudCredential } from '../../core/cloud-credentials/cloud-credential.repository.js';
import type { ValidationOutcome } from '../../core/cloud-credentials/cloud-credentials.service.js';

/** A credential as the API shows it: names and facts, never a secret (the row it comes from has none). */
export const cloudCredentialJson = (c: CloudCredential) => ({
  id: c.id, name: c.name, provider: c.provider, credential_type: c.credentialType, fields: c.fieldNames, fingerprint: c.fingerprint,
  last_validated_at: c.lastValidatedAt ? c.lastValidatedAt.toISOString() : null,
  last_validation: c.lastValidatedAt ? { valid: !!c.lastValidationOk, message: c.lastValidationMessage ?? '', identity: c.lastValidationIdentity } : null,
  created_by: c.createdBy, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
});

export const validationJson = (v: ValidationOutcome) => ({
  valid: v.valid, message: v.message, identity: v.identity, credential: cloudCredentialJson(v.credential),
});
