/**
 * One set of malformed-JWS vectors for the engine and the resource-server kit, which keep separate copies of
 * the same rules (the kit ships alone): every other spelling of a segment's bytes, padding, impossible
 * lengths, and `crit` headers. Each vector names what is wrong with it.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The other spellings of a base64url segment that Buffer.from(…, 'base64url') decodes to the same bytes: its
 * last character with the unused low bits set otherwise (15 for a length of 2 mod 4, 3 for 3 mod 4).
 */
export function respellings(segment: string): string[] {
  const rest = segment.length % 4;
  if (rest === 0 || rest === 1) return [];
  const spare = rest === 2 ? 0x0f : 0x03;
  const last = ALPHABET.indexOf(segment.at(-1)!);
  const out: string[] = [];
  for (let bits = 1; bits <= spare; bits += 1) out.push(segment.slice(0, -1) + ALPHABET[(last & ~spare) | bits]);
  return out;
}

type Part = 0 | 1 | 2;
const PART_NAMES = ['header', 'payload', 'signature'] as const;

function replacePart(token: string, part: Part, segment: string): string {
  const parts = token.split('.');
  parts[part] = segment;
  return parts.join('.');
}

/**
 * Non-canonical spellings of a genuine token: every respelling of each segment whose length leaves spare
 * bits, padding, and a stray character (a length of 1 mod 4, which Buffer silently drops).
 */
export function nonCanonicalVariants(token: string): Array<[string, string]> {
  const variants: Array<[string, string]> = [];
  token.split('.').forEach((segment, index) => {
    const part = index as Part;
    const name = PART_NAMES[part];
    for (const spelling of respellings(segment)) variants.push([`${name} respelled as …${spelling.slice(-2)}`, replacePart(token, part, spelling)]);
    const rest = segment.length % 4;
    if (rest === 2) variants.push([`${name} padded with ==`, replacePart(token, part, `${segment}==`)]);
    if (rest === 3) variants.push([`${name} padded with =`, replacePart(token, part, `${segment}=`)]);
    // One more character makes a length of 1 mod 4 when the length is 0 mod 4; otherwise pick A or AA.
    const stray = rest === 0 ? 'A' : rest === 2 ? 'AAA' : 'AA';
    variants.push([`${name} with ${stray.length} stray character(s)`, replacePart(token, part, segment + stray)]);
  });
  return variants;
}

/** Headers (merged over a genuine one, then re-signed) that a recipient implementing no extension must refuse. */
export const CRIT_HEADERS: Array<[string, Record<string, unknown>]> = [
  ["crit: ['exp']", { crit: ['exp'] }],
  ["crit naming a registered header: ['alg']", { crit: ['alg'] }],
  ['crit: [] (empty)', { crit: [] }],
  ["crit: ['x-unknown'], present", { crit: ['x-unknown'], 'x-unknown': true }],
  ["crit: ['x-absent'], absent", { crit: ['x-absent'] }],
  ['crit that is not an array', { crit: 'x-unknown' }],
];

/** A segment of a JSON object whose base64url length leaves `rest` (2 or 3) characters in its last group. */
export function segmentWithRest(value: Record<string, unknown>, rest: 2 | 3): string {
  for (let pad = 0; pad < 3; pad += 1) {
    const segment = Buffer.from(JSON.stringify({ ...value, pad: 'x'.repeat(pad) })).toString('base64url');
    if (segment.length % 4 === rest) return segment;
  }
  throw new Error('unreachable: three paddings cover every remainder');
}
