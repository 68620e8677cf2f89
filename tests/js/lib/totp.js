// RFC 6238 TOTP (HMAC-SHA-1, 30-second steps, 6 digits) and RFC 4648 Base32, as an authenticator app computes codes
// from the secret the enrolment returns. Written here, independently of the host, and checked against the RFC's vectors.
import { createHmac } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Decode(text) {
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) {
      throw new Error(`not Base32: ${char}`);
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The time step of a moment: floor(unix seconds / 30). */
export function stepAt(unixMilliseconds = Date.now()) {
  return Math.floor(unixMilliseconds / 1000 / 30);
}

/** The code of one time step for a raw secret. */
export function hotp(secret, step, digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The code for a Base32 secret, `offset` steps from now (the server accepts one step either side). */
export function totp(base32Secret, offset = 0) {
  return hotp(base32Decode(base32Secret), stepAt() + offset);
}
