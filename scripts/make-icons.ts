// Generates every icon electron-builder needs from the one source image build/icon.svg:
//   build/icon.png            1024 px (the generic icon; electron-builder's fallback on every OS)
//   build/icons/NxN.png       Linux set (16…512), the file names carry the size as electron-builder wants
//   build/icon.ico            Windows (16…256: DIBs below 256, PNG at 256)
//   build/icon.icns           macOS (16…1024, PNG chunks)
//   build/sgdiag.ico/.icns    the .sgdiag document icon: a page carrying the app icon (same source)
// Rasterising needs rsvg-convert (Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install
// librsvg). The outputs are committed, so `npm run dist` never needs this tool; rerun it only after
// editing build/icon.svg:   npx tsx scripts/make-icons.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIcns, writeIco } from './icon-formats';

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS chunk type → edge in px (what iconutil writes for a full .iconset). */
export const ICNS_LAYOUT: [string, number][] = [
  ['icp4', 16], ['ic11', 32], ['icp5', 32], ['ic12', 64], ['ic07', 128],
  ['ic13', 256], ['ic08', 256], ['ic14', 512], ['ic09', 512], ['ic10', 1024],
];

function render(svg: string, size: number): Buffer {
  return execFileSync('rsvg-convert', ['--width', String(size), '--height', String(size), '--format', 'png'], {
    input: svg,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
}

/** The document icon: a folded page with the app icon on it, built around the same source SVG. */
export function documentSvg(appSvg: string): string {
  const inner = appSvg
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<svg[^>]*>/, '')
    .replace(/<\/svg>\s*$/, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <path d="M208 64 H640 L848 272 V912 Q848 960 800 960 H208 Q160 960 160 912 V112 Q160 64 208 64 Z"
        fill="#FFFFFF" stroke="#7A8C99" stroke-width="28" stroke-linejoin="round"/>
  <path d="M640 64 V224 Q640 272 688 272 H848" fill="#E3EAEF" stroke="#7A8C99" stroke-width="28" stroke-linejoin="round"/>
  <svg x="224" y="336" width="560" height="560" viewBox="0 0 1024 1024">${inner}</svg>
</svg>`;
}

function writeSet(svg: string, outDir: string, baseName: string, sizes: Set<number>): Map<number, Buffer> {
  const png = new Map<number, Buffer>();
  for (const s of [...sizes].sort((a, b) => a - b)) png.set(s, render(svg, s));
  const get = (s: number): Buffer => png.get(s) ?? (() => { throw new Error(`size ${s} not rendered`); })();
  writeFileSync(join(outDir, `${baseName}.ico`), writeIco(ICO_SIZES.map(get)));
  writeFileSync(join(outDir, `${baseName}.icns`), writeIcns(ICNS_LAYOUT.map(([type, s]) => ({ type, png: get(s) }))));
  return png;
}

export function makeIcons(buildDir: string): string[] {
  try {
    execFileSync('rsvg-convert', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('rsvg-convert not found: apt-get install librsvg2-bin (Debian/Ubuntu) or brew install librsvg (macOS)');
  }
  const appSvg = readFileSync(join(buildDir, 'icon.svg'), 'utf8');
  const all = new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_LAYOUT.map(([, s]) => s)]);
  const app = writeSet(appSvg, buildDir, 'icon', all);
  writeFileSync(join(buildDir, 'icon.png'), app.get(1024)!);
  mkdirSync(join(buildDir, 'icons'), { recursive: true });
  const written = ['icon.png', 'icon.ico', 'icon.icns'];
  for (const s of LINUX_SIZES) {
    writeFileSync(join(buildDir, 'icons', `${s}x${s}.png`), app.get(s)!);
    written.push(`icons/${s}x${s}.png`);
  }
  writeSet(documentSvg(appSvg), buildDir, 'sgdiag', new Set([...ICO_SIZES, ...ICNS_LAYOUT.map(([, s]) => s)]));
  written.push('sgdiag.ico', 'sgdiag.icns');
  return written.map((f) => join(buildDir, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const buildDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'build');
  try {
    for (const f of makeIcons(buildDir)) console.log(`wrote ${relative(process.cwd(), f)}`);
  } catch (e) {
    console.error(`make-icons: ${(e as Error).message}`);
    process.exit(1);
  }
}
