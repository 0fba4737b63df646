/**
 * `import()` of an ES module file by URL (a plugin's entry). One place, because the start script
 * (daemon/main/startScript.ts) runs the daemon through `vm.Script`, where V8's code cache loses the
 * dynamic-import callback: an `import()` compiled from a cache throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING
 * on Node 20. The build swaps this module, in that script only, for one that asks the ES-module CLI to
 * import instead (daemon/build/bundle.ts).
 */
export function importEsm(href: string): Promise<unknown> {
  return import(href);
}
