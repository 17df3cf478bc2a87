// as-pect 8 (asc 0.28): specs for AssemblyScript internals in assembly/__tests__.
// Run: npx asp --config as-pect.config.js   (npm run test:as)
export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
