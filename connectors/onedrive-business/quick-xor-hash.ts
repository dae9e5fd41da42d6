/**
 * quickXorHash, the content hash OneDrive for Business reports in `file.hashes.quickXorHash` [doc:
 * "Code snippets: QuickXorHash"]: each byte i is XORed into a 160-bit block at bit offset 11·i
 * (rotating), the block is read little-endian, the input length (64-bit little-endian) is XORed into
 * its last 8 bytes, and the result is base64. Written here (20 lines) rather than a new dependency.
 */
const WIDTH_BYTES = 20;
const SHIFT_BITS = 11;

export function quickXorHash(content: Uint8Array): string {
  const block = new Uint8Array(WIDTH_BYTES);
  let bit = 0;
  for (const byte of content) {
    const index = bit >> 3;
    const offset = bit & 7;
    block[index]! ^= (byte << offset) & 0xff;
    if (offset > 0) block[(index + 1) % WIDTH_BYTES]! ^= byte >> (8 - offset);
    bit = (bit + SHIFT_BITS) % (WIDTH_BYTES * 8);
  }
  const length = new DataView(new ArrayBuffer(8));
  length.setBigUint64(0, BigInt(content.length), true);
  for (let i = 0; i < 8; i += 1) block[WIDTH_BYTES - 8 + i]! ^= length.getUint8(i);
  return Buffer.from(block).toString('base64');
}
