import { QueryTypes, type Sequelize } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';

export interface CaRow {
  certificate: string;
  keyId: string;
  data: Buffer;
}

/** The one listener CA row (id 1): its certificate and its sealed private key. */
export class ListenerCaRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async read(): Promise<CaRow | null> {
    const [row] = await this.deps.sequelize.query<CaRow>('SELECT certificate, key_id AS "keyId", key_sealed AS "data" FROM listener_ca WHERE id = 1', { type: QueryTypes.SELECT });
    return row ?? null;
  }

  /** Two replicas racing both insert; the first row wins and both read it after. */
  async insertIfAbsent(certificate: string, sealed: Sealed): Promise<void> {
    await this.deps.sequelize.query(
      'INSERT INTO listener_ca (id, certificate, key_id, key_sealed) VALUES (1, :certificate, :keyId, :data) ON CONFLICT (id) DO NOTHING',
      { replacements: { certificate, keyId: sealed.keyId, data: sealed.data } },
    );
  }

  /** Re-sealed under a new key, unless another rotation got there first. */
  async reseal(sealed: Sealed, oldKeyId: string): Promise<void> {
    await this.deps.sequelize.query('UPDATE listener_ca SET key_id = :keyId, key_sealed = :data WHERE id = 1 AND key_id = :old', {
      replacements: { keyId: sealed.keyId, data: sealed.data, old: oldKeyId },
    });
  }
}
