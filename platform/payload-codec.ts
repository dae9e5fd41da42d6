import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  METADATA_ENCODING_KEY,
  type DataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { MasterKeys } from './master-keys';

/**
 * Encryption of everything Relais hands to Temporal: workflow and activity inputs and results,
 * signals, updates, queries, and (with the failure converter below) failure messages and stack
 * traces. Temporal's history then holds only ciphertext; operators read it through the codec endpoint
 * (`/codec/decode`) with the same keys.
 *
 * Each payload is encrypted whole (its metadata and data, as protobuf) with AES-256-GCM under the
 * current key; the result carries `encoding: binary/encrypted` and `encryption-key-id`, so payloads
 * written under an older key stay readable while that key is configured.
 *
 * The codec's keys are derived from the master keys with HKDF-SHA256 (info below), one per master key
 * and under the same id: the vault (secrets in PostgreSQL) and the codec never encrypt with the same key.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CODEC_KEY_INFO = 'relais/temporal-payload-codec/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The failure converter that moves messages and stack traces into an (encrypted) payload. */
export const failureConverterPath = require.resolve('./failure-converter');

export class PayloadCodecError extends Error {
  override name = 'PayloadCodecError';
}

export function derivePayloadKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), CODEC_KEY_INFO, 32));
}

const { Payload: PayloadMessage } = temporal.api.common.v1;
const text = (bytes: Uint8Array | null | undefined) =>
  bytes ? Buffer.from(bytes).toString('utf8') : undefined;

export function createPayloadCodec({ keys, currentKeyId }: MasterKeys): PayloadCodec {
  const codecKeys = new Map([...keys].map(([id, key]) => [id, derivePayloadKey(key)]));
  const currentKey = codecKeys.get(currentKeyId);
  if (!currentKey) throw new PayloadCodecError(`No key with the current id ${currentKeyId}`);

  const encryptOne = (payload: Payload): Payload => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
    const body = Buffer.concat([cipher.update(PayloadMessage.encode(payload).finish()), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(currentKeyId),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  };

  const decryptOne = (payload: Payload): Payload => {
    // Payloads written before encryption (or by the UI without a codec) pass through unchanged.
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = keyId === undefined ? undefined : codecKeys.get(keyId);
    if (!key) {
      throw new PayloadCodecError(
        `The payload was encrypted with the key ${keyId ?? '(none named)'}, which is not configured in RELAIS_MASTER_KEY`,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadCodecError('The encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return PayloadMessage.decode(plain);
    } catch {
      throw new PayloadCodecError(`The payload does not decrypt with the key ${keyId}: it was altered`);
    }
  };

  return {
    encode: async (payloads) => payloads.map(encryptOne),
    decode: async (payloads) => payloads.map(decryptOne),
  };
}

/** What every Relais client and worker converts with: payloads encrypted, failure messages too. */
export function relaisDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
