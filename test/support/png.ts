import { inflateSync } from 'node:zlib';

/**
 * A small PNG reader so tests can look at a chart's pixels: the signature, IHDR (size, bit depth,
 * colour type), the IDAT stream inflated with node:zlib and its per-row filters undone. Enough
 * for what resvg writes (8-bit greyscale, RGB, RGBA, grey + alpha; not interlaced); anything
 * else is refused with a message, never misread.
 */
export interface Png {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, rows top to bottom. */
  rgba: Uint8Array;
  /** The pixel at (x, y) as [r, g, b, a]. */
  pixel(x: number, y: number): [number, number, number, number];
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Colour type -> channels per pixel. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function readPng(bytes: Uint8Array): Png {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: the signature is wrong');
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < buf.length && !ended) {
    if (offset + 8 > buf.length) throw new Error('PNG chunk header cut short');
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const body = buf.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) throw new Error(`PNG chunk ${type} cut short`);
    if (type === 'IHDR') {
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8]!, colorType: body[9]!, interlace: body[12]! };
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    offset += 12 + length; // length, type, body, CRC
  }
  if (header === undefined) throw new Error('PNG has no IHDR');
  if (!ended) throw new Error('PNG has no IEND');
  const { width, height, bitDepth, colorType, interlace } = header;
  const channels = CHANNELS[colorType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) throw new Error(`PNG format not read here: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);

  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = unfilter(raw, width, height, channels);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    const p = i * channels;
    const [r, g, b, a] =
      channels === 4 ? [pixels[p]!, pixels[p + 1]!, pixels[p + 2]!, pixels[p + 3]!]
      : channels === 3 ? [pixels[p]!, pixels[p + 1]!, pixels[p + 2]!, 255]
      : channels === 2 ? [pixels[p]!, pixels[p]!, pixels[p]!, pixels[p + 1]!]
      : [pixels[p]!, pixels[p]!, pixels[p]!, 255];
    rgba.set([r, g, b, a], i * 4);
  }
  return {
    width,
    height,
    rgba,
    pixel(x, y) {
      if (x < 0 || y < 0 || x >= width || y >= height) throw new Error(`pixel (${x}, ${y}) is outside ${width}x${height}`);
      const at = (y * width + x) * 4;
      return [rgba[at]!, rgba[at + 1]!, rgba[at + 2]!, rgba[at + 3]!];
    },
  };
}

/** Undoes PNG's five row filters (None, Sub, Up, Average, Paeth) on 8-bit samples. */
function unfilter(raw: Buffer, width: number, height: number, channels: number): Uint8Array {
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i += 1) {
      const left = i >= channels ? out[row + i - channels]! : 0;
      const up = y > 0 ? out[prev + i]! : 0;
      const upLeft = y > 0 && i >= channels ? out[prev + i - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) >> 1; break;
        case 4: predictor = paeth(left, up, upLeft); break;
        default: throw new Error(`PNG row ${y} has unknown filter ${filter}`);
      }
      out[row + i] = (line[i]! + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
