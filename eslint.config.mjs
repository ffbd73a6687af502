import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Only the layer libraries (type:infra) may touch the AWS provider bindings.
const providerBindings = ['@cdktf/provider-aws', '@cdktf/provider-aws/*'];

/**
 * What a kind of project may import. Test code may also import the test helper libraries
 * (type:testing, e.g. a throwaway MariaDB server), and build scripts and tests the build helpers
 * (type:build, e.g. the functions' deterministic zip); a function's or the service's own code
 * never may.
 */
const depConstraints = ({ tests, build = tests }) => {
  const testing = [...(tests ? ['type:testing'] : []), ...(build ? ['type:build'] : [])];
  return [
    // Layer axis: what a kind of project may import.
    { sourceTag: 'type:stack', onlyDependOnLibsWithTags: ['type:infra', 'type:config', 'type:contract'], bannedExternalImports: providerBindings },
    // Infra runs the policy rules on every synth and writes suppressions beside constructs; the
    // rules read JSON only (no cdktf), so this cannot pull constructs into the policy.
    { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:config', 'type:contract', 'type:policy'] },
    { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:config'], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:config', onlyDependOnLibsWithTags: [], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contract', 'type:config', ...testing], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    // The functions share their run-time helpers (type:runtime: time limits, log lines).
    { sourceTag: 'type:lambda', onlyDependOnLibsWithTags: ['type:contract', 'type:config', 'type:runtime', ...testing], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    // Policy reads synthesized JSON; it never builds constructs. The suite over the real stacks
    // (project policy) imports the engine (policy-engine).
    { sourceTag: 'type:policy', onlyDependOnLibsWithTags: ['type:policy', 'type:contract', 'type:config'], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contract', 'type:config', 'type:tool', ...testing], bannedExternalImports: [...providerBindings, 'constructs'] },
    // Scope axis: a region's projects see only themselves and what is shared.
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:global', onlyDependOnLibsWithTags: ['scope:global', 'scope:shared'] },
    { sourceTag: 'scope:primary', onlyDependOnLibsWithTags: ['scope:primary', 'scope:shared'] },
    { sourceTag: 'scope:secondary', onlyDependOnLibsWithTags: ['scope:secondary', 'scope:shared'] },
    // Test and build helpers stand alone: they import no project.
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
    { sourceTag: 'type:build', onlyDependOnLibsWithTags: [] },
    { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: [] },
  ];
};
const boundaries = (tests, build = tests) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints({ tests, build }) },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/cdktf.out/**', '**/coverage/**', 'reports/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      // The barrel loads every resource binding (hundreds of megabytes): always import by deep path.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@cdktf/provider-aws', message: 'Import the resource by deep path, e.g. @cdktf/provider-aws/lib/vpc.' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Build scripts bundle and zip with the build helpers.
    files: ['**/scripts/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(false, true) },
  },
  {
    // Tests, and the benchmarks that drive the service on a throwaway server like the tests do.
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@nx/enforce-module-boundaries': boundaries(true) },
  },
);
