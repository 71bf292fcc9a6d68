// ESLint's recommended rules over the package, its tests, demo, examples
// and scripts (npm run lint; ./build.sh test runs it).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'types/', '.types-check/', 'examples/*/dist/', 'examples/*/node_modules/', 'test-results/'] },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
  },
];
