import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Only the layer libraries (type:infra) may touch the AWS provider bindings.
const providerBindings = ['@cdktf/provider-aws', '@cdktf/provider-aws/*'];

/**
 * What a kind of project may import. Test code may also import the test helper libraries
 * (type:testing, e.g. a throwaway MariaDB server); production code never may.
 */
const depConstraints = ({ tests }) => {
  const testing = tests ? ['type:testing'] : [];
  return [
    // Layer axis: what a kind of project may import.
    { sourceTag: 'type:stack', onlyDependOnLibsWithTags: ['type:infra', 'type:config', 'type:contract'], bannedExternalImports: providerBindings },
    // Infra runs the policy rules on every synth and writes suppressions beside constructs; the
    // rules read JSON only (no cdktf), so this cannot pull constructs into the policy.
    { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:config', 'type:contract', 'type:policy'] },
    { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:config'], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:config', onlyDependOnLibsWithTags: [], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contract', 'type:config', ...testing], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:lambda', onlyDependOnLibsWithTags: ['type:contract', 'type:config', ...testing], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    // Policy reads synthesized JSON; it never builds constructs. The suite over the real stacks
    // (project policy) imports the engine (policy-engine).
    { sourceTag: 'type:policy', onlyDependOnLibsWithTags: ['type:policy', 'type:contract', 'type:config'], bannedExternalImports: [...providerBindings, 'cdktf', 'constructs'] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contract', 'type:config', 'type:tool', ...testing], bannedExternalImports: [...providerBindings, 'constructs'] },
    // Scope axis: a region's projects see only themselves and what is shared.
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:global', onlyDependOnLibsWithTags: ['scope:global', 'scope:shared'] },
    { sourceTag: 'scope:primary', onlyDependOnLibsWithTags: ['scope:primary', 'scope:shared'] },
    { sourceTag: 'scope:secondary', onlyDependOnLibsWithTags: ['scope:secondary', 'scope:shared'] },
    // Test helpers stand alone: they import no project.
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
  ];
};
const boundaries = (tests) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints({ tests }) },
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
    // Tests, and the benchmarks that drive the service on a throwaway server like the tests do.
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@nx/enforce-module-boundaries': boundaries(true) },
  },
);
