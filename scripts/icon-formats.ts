// Minimal, dependency-free readers and writers for the icon containers electron-builder consumes:
// PNG (read only: 8-bit RGB/RGBA, non-interlaced, the kind rsvg-convert writes), Windows ICO and
// Apple ICNS. Both containers embed PNG data, so no image library is needed. Used by
// scripts/make-icons.ts to write build/ and by test/packaging.test.ts to check what was written.
import { crc32, inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
  crcOk: boolean;
}

export interface Rgba {
  width: number;
  height: number;
  /** width*height*4 bytes, row-major, straight (not premultiplied) alpha. */
  pixels: Buffer;
}

export function isPng(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE);
}

export function pngChunks(buf: Buffer): PngChunk[] {
  if (!isPng(buf)) throw new Error('not a PNG: bad signature');
  const chunks: PngChunk[] = [];
  let off = 8;
  while (off + 12 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (off + 12 + len > buf.length) throw new Error(`PNG chunk ${type} runs past the end`);
    const data = buf.subarray(off + 8, off + 8 + len);
    const crc = buf.readUInt32BE(off + 8 + len);
    chunks.push({ type, data, crcOk: crc32(buf.subarray(off + 4, off + 8 + len)) === crc });
    off += 12 + len;
    if (type === 'IEND') break;
  }
  return chunks;
}

export function pngSize(buf: Buffer): { width: number; height: number } {
  const ihdr = pngChunks(buf)[0];
  if (!ihdr || ihdr.type !== 'IHDR') throw new Error('PNG without IHDR first');
  return { width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4) };
}

/** Decodes 8-bit truecolour (with or without alpha) non-interlaced PNGs into RGBA. */
export function decodePng(buf: Buffer): Rgba {
  const chunks = pngChunks(buf);
  const bad = chunks.find((c) => !c.crcOk);
  if (bad) throw new Error(`PNG chunk ${bad.type} has a bad CRC`);
  const ihdr = chunks[0];
  if (!ihdr || ihdr.type !== 'IHDR') throw new Error('PNG without IHDR first');
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const [depth, colour, , , interlace] = ihdr.data.subarray(8, 13);
  if (depth !== 8 || (colour !== 6 && colour !== 2) || interlace !== 0) {
    throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
  }
  const bpp = colour === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * bpp;
  if (raw.length !== height * (stride + 1)) throw new Error('PNG image data has the wrong length');
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? out.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      let v: number;
      switch (filter) {
        case 0: v = src[x]; break;
        case 1: v = src[x] + a; break;
        case 2: v = src[x] + b; break;
        case 3: v = src[x] + ((a + b) >> 1); break;
        case 4: v = src[x] + paeth(a, b, c); break;
        default: throw new Error(`PNG row ${y} has unknown filter ${filter}`);
      }
      row[x] = v & 0xff;
    }
  }
  if (bpp === 4) return { width, height, pixels: out };
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    out.copy(rgba, i * 4, i * 3, i * 3 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, pixels: rgba };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// ---------------------------------------------------------------------------------------------------
// ICO: ICONDIR (6 bytes) + n ICONDIRENTRY (16 bytes) + images. Entries of 256 px are stored as PNG
// (Vista+ layout); smaller ones as 32-bit BGRA DIBs with an AND mask, which every Windows consumer
// (Explorer, rcedit, NSIS's installer icon) accepts.

export interface IcoEntry {
  width: number;
  height: number;
  bitCount: number;
  format: 'png' | 'bmp';
  data: Buffer;
}

export function writeIco(images: Buffer[]): Buffer {
  const encoded = images.map((png) => {
    const { width, height } = pngSize(png);
    if (width !== height || width > 256) throw new Error(`ICO entries must be square and <= 256 px (got ${width}x${height})`);
    return { size: width, data: width >= 256 ? png : dibFromRgba(decodePng(png)) };
  });
  const header = Buffer.alloc(6 + 16 * encoded.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(encoded.length, 4);
  let offset = header.length;
  encoded.forEach((e, i) => {
    const p = 6 + 16 * i;
    header.writeUInt8(e.size >= 256 ? 0 : e.size, p); // 0 means 256
    header.writeUInt8(e.size >= 256 ? 0 : e.size, p + 1);
    header.writeUInt8(0, p + 2); // no palette
    header.writeUInt8(0, p + 3);
    header.writeUInt16LE(1, p + 4); // colour planes
    header.writeUInt16LE(32, p + 6); // bits per pixel
    header.writeUInt32LE(e.data.length, p + 8);
    header.writeUInt32LE(offset, p + 12);
    offset += e.data.length;
  });
  return Buffer.concat([header, ...encoded.map((e) => e.data)]);
}

function dibFromRgba({ width, height, pixels }: Rgba): Buffer {
  const maskStride = Math.ceil(width / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0); // BITMAPINFOHEADER
  header.writeInt32LE(width, 4);
  header.writeInt32LE(height * 2, 8); // XOR bitmap + AND mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(0, 16); // BI_RGB
  header.writeUInt32LE(width * height * 4 + maskStride * height, 20);
  const xor = Buffer.alloc(width * height * 4);
  const and = Buffer.alloc(maskStride * height); // all 0: the alpha channel decides transparency
  for (let y = 0; y < height; y++) {
    const dst = (height - 1 - y) * width * 4; // DIBs are stored bottom-up
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 4;
      const d = dst + x * 4;
      xor[d] = pixels[s + 2];
      xor[d + 1] = pixels[s + 1];
      xor[d + 2] = pixels[s];
      xor[d + 3] = pixels[s + 3];
      if (pixels[s + 3] === 0) and[(height - 1 - y) * maskStride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, xor, and]);
}

export function readIco(buf: Buffer): IcoEntry[] {
  if (buf.length < 6 || buf.readUInt16LE(0) !== 0 || buf.readUInt16LE(2) !== 1) throw new Error('not an ICO: bad header');
  const count = buf.readUInt16LE(4);
  if (count === 0 || buf.length < 6 + 16 * count) throw new Error('ICO directory is empty or truncated');
  const entries: IcoEntry[] = [];
  for (let i = 0; i < count; i++) {
    const p = 6 + 16 * i;
    const width = buf[p] || 256;
    const height = buf[p + 1] || 256;
    const size = buf.readUInt32LE(p + 8);
    const offset = buf.readUInt32LE(p + 12);
    if (offset + size > buf.length) throw new Error(`ICO entry ${i} runs past the end`);
    const data = buf.subarray(offset, offset + size);
    entries.push({ width, height, bitCount: buf.readUInt16LE(p + 6), format: isPng(data) ? 'png' : 'bmp', data });
  }
  return entries;
}

/** Decodes a 32-bit DIB ICO entry back to top-down RGBA (used by tests to compare with the PNG). */
export function rgbaFromDib(dib: Buffer): Rgba {
  if (dib.readUInt32LE(0) !== 40 || dib.readUInt16LE(14) !== 32) throw new Error('only 32-bit BITMAPINFOHEADER DIBs are supported');
  const width = dib.readInt32LE(4);
  const height = dib.readInt32LE(8) / 2;
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const src = 40 + (height - 1 - y) * width * 4;
    for (let x = 0; x < width; x++) {
      const s = src + x * 4;
      const d = (y * width + x) * 4;
      pixels[d] = dib[s + 2];
      pixels[d + 1] = dib[s + 1];
      pixels[d + 2] = dib[s];
      pixels[d + 3] = dib[s + 3];
    }
  }
  return { width, height, pixels };
}

// ---------------------------------------------------------------------------------------------------
// ICNS: 'icns' + total length, then chunks of OSType + length (including the 8-byte chunk header) +
// data. The PNG-carrying types below are what iconutil writes for an .iconset (macOS 10.7+).

export const ICNS_PNG_TYPES: Record<string, number> = {
  icp4: 16,
  icp5: 32,
  icp6: 64,
  ic07: 128,
  ic08: 256,
  ic09: 512,
  ic10: 1024, // 512@2x
  ic11: 32, // 16@2x
  ic12: 64, // 32@2x
  ic13: 256, // 128@2x
  ic14: 512, // 256@2x
};

export function writeIcns(chunks: { type: string; png: Buffer }[]): Buffer {
  const parts = chunks.map(({ type, png }) => {
    const want = ICNS_PNG_TYPES[type];
    if (!want || type.length !== 4) throw new Error(`unknown ICNS PNG type ${type}`);
    const { width, height } = pngSize(png);
    if (width !== want || height !== want) throw new Error(`ICNS ${type} needs ${want}x${want}, got ${width}x${height}`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

export function readIcns(buf: Buffer): { type: string; data: Buffer }[] {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== 'icns') throw new Error('not an ICNS: bad magic');
  if (buf.readUInt32BE(4) !== buf.length) throw new Error('ICNS length field does not match the file size');
  const out: { type: string; data: Buffer }[] = [];
  let off = 8;
  while (off < buf.length) {
    if (off + 8 > buf.length) throw new Error('ICNS chunk header truncated');
    const type = buf.toString('latin1', off, off + 4);
    const len = buf.readUInt32BE(off + 4);
    if (len < 8 || off + len > buf.length) throw new Error(`ICNS chunk ${type} has a bad length`);
    out.push({ type, data: buf.subarray(off + 8, off + len) });
    off += len;
  }
  return out;
}
