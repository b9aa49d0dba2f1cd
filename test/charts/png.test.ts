import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readPng } from '../support/png.js';

/**
 * The test PNG reader is what the chart tests stand on, so it is checked against images whose
 * pixels are known: written here byte by byte, one row per PNG filter type, so a mistake in any
 * filter shows up as a wrong pixel.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body, Buffer.alloc(4)]); // the CRC is not checked by the reader
}

function header(width: number, height: number, colorType: number, interlace = 0): Buffer {
  const body = Buffer.alloc(13);
  body.writeUInt32BE(width, 0);
  body.writeUInt32BE(height, 4);
  body[8] = 8;
  body[9] = colorType;
  body[12] = interlace;
  return chunk('IHDR', body);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes rows of raw samples, row y with filter `filters[y]`, as the PNG encoder would. */
function encode(rows: number[][], channels: number, filters: number[]): Buffer {
  const out: number[] = [];
  rows.forEach((row, y) => {
    const filter = filters[y]!;
    out.push(filter);
    row.forEach((value, i) => {
      const left = i >= channels ? row[i - channels]! : 0;
      const up = y > 0 ? rows[y - 1]![i]! : 0;
      const upLeft = y > 0 && i >= channels ? rows[y - 1]![i - channels]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      out.push((value - predictor) & 0xff);
    });
  });
  return deflateSync(Buffer.from(out));
}

function png(width: number, rows: number[][], colorType: number, channels: number, filters: number[]): Buffer {
  const data = encode(rows, channels, filters);
  // Split the stream over two IDAT chunks: the reader must join them.
  const half = Math.floor(data.length / 2);
  return Buffer.concat([SIGNATURE, header(width, rows.length, colorType), chunk('IDAT', data.subarray(0, half)), chunk('IDAT', data.subarray(half)), chunk('IEND', Buffer.alloc(0))]);
}

describe('readPng (test support)', () => {
  // 3 x 5 RGBA, values chosen so every predictor differs and sums wrap past 255.
  const rgbaRows = Array.from({ length: 5 }, (_, y) => Array.from({ length: 3 * 4 }, (_, i) => (y * 97 + i * 53 + ((i * y) % 7) * 31) & 0xff));

  it('undoes all five filters (None, Sub, Up, Average, Paeth) over an RGBA image split across IDAT chunks', () => {
    const image = readPng(png(3, rgbaRows, 6, 4, [0, 1, 2, 3, 4]));
    expect([image.width, image.height]).toEqual([3, 5]);
    for (let y = 0; y < 5; y += 1) {
      for (let x = 0; x < 3; x += 1) expect(image.pixel(x, y)).toEqual(rgbaRows[y]!.slice(x * 4, x * 4 + 4));
    }
  });

  it('breaks Paeth ties the way the PNG spec does (left, then up, then up-left)', () => {
    // Samples from a small range make the three distances tie often.
    let seed = 7;
    const next = () => Math.floor((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 65536) % 4;
    const rows = Array.from({ length: 6 }, () => Array.from({ length: 6 * 4 }, next));
    const image = readPng(png(6, rows, 6, 4, [4, 4, 4, 4, 4, 4]));
    for (let y = 0; y < 6; y += 1) expect(Array.from(image.rgba.subarray(y * 24, y * 24 + 24))).toEqual(rows[y]);
  });

  it('reads RGB and greyscale as opaque RGBA', () => {
    const rgb = readPng(png(2, [[10, 20, 30, 40, 50, 60], [70, 80, 90, 100, 110, 120]], 2, 3, [4, 3]));
    expect(rgb.pixel(1, 1)).toEqual([100, 110, 120, 255]);
    const grey = readPng(png(2, [[0, 200]], 0, 1, [1]));
    expect(grey.pixel(1, 0)).toEqual([200, 200, 200, 255]);
  });

  it('refuses what it cannot read instead of misreading it', () => {
    expect(() => readPng(Buffer.from('GIF89a not a png'))).toThrow(/signature/);
    const interlaced = Buffer.concat([SIGNATURE, header(1, 1, 6, 1), chunk('IDAT', deflateSync(Buffer.from([0, 1, 2, 3, 4]))), chunk('IEND', Buffer.alloc(0))]);
    expect(() => readPng(interlaced)).toThrow(/interlace 1/);
    const short = Buffer.concat([SIGNATURE, header(2, 2, 6), chunk('IDAT', deflateSync(Buffer.from([0, 1, 2, 3, 4]))), chunk('IEND', Buffer.alloc(0))]);
    expect(() => readPng(short)).toThrow(/expected 18/);
    const badFilter = Buffer.concat([SIGNATURE, header(1, 1, 6), chunk('IDAT', deflateSync(Buffer.from([9, 1, 2, 3, 4]))), chunk('IEND', Buffer.alloc(0))]);
    expect(() => readPng(badFilter)).toThrow(/unknown filter 9/);
  });
});
