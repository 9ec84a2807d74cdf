import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A library the console loads in the browser, served from its installed `dist` folder. */
export interface VendorPackage {
  name: string;
  version: string;
  /** The folder served under `/console/vendor/{name}@{version}/`. */
  root: string;
}

const require = createRequire(import.meta.url);

/**
 * The libraries' ES module builds, which import nothing (preact's hooks module imports the bare
 * name `preact`, which a browser cannot resolve without an inline import map — refused by the
 * CSP — so the console uses class components instead). The version is part of the URL, so a
 * browser may keep a file forever (immutable) and an upgrade changes the URL.
 */
export function consoleVendors(): VendorPackage[] {
  return ['preact', 'htm', 'uplot'].map((name) => {
    const root = dirname(require.resolve(name));
    const manifest = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as { version: string };
    return { name, version: manifest.version, root };
  });
}

/** `/console/vendor.js`: the one module that names the versioned files, so the app's files do not. */
export function vendorModule(vendors: readonly VendorPackage[]): string {
  const at = (name: string) => {
    const vendor = vendors.find((v) => v.name === name);
    if (!vendor) throw new Error(`console vendor ${name} missing`);
    return `./vendor/${vendor.name}@${vendor.version}`;
  };
  return [
    `import { h } from '${at('preact')}/preact.mjs';`,
    `import htm from '${at('htm')}/htm.mjs';`,
    `export { h, render, Component, Fragment, createRef } from '${at('preact')}/preact.mjs';`,
    `export { default as uPlot } from '${at('uplot')}/uPlot.esm.js';`,
    `export const uPlotCss = '${at('uplot')}/uPlot.min.css';`,
    'export const html = htm.bind(h);',
    '',
  ].join('\n');
}
