import stylistic from '@stylistic/eslint-plugin'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

// The style rules are the project's formatter (`npm run format` = eslint --fix): standard style,
// the one the code was written in, so --fix changes only lines that strayed from it.
const style = {
  '@stylistic/space-before-function-paren': ['error', 'always'],
  '@stylistic/generator-star-spacing': ['error', 'both'],
  '@stylistic/yield-star-spacing': ['error', 'both'],
  '@stylistic/operator-linebreak': ['error', 'after', { overrides: { '?': 'before', ':': 'before', '|': 'before' } }],
  '@stylistic/arrow-parens': ['error', 'as-needed'],
  '@stylistic/quote-props': ['error', 'as-needed'],
  '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'never' }],
  '@stylistic/max-len': ['error', { code: 160 }],
  // One-line blocks such as `() => { resolve() }` are how the code keeps a callback from returning a value.
  '@stylistic/max-statements-per-line': 'off',
  // Argument lists wrap where the line is full, not one item per line.
  '@stylistic/list-style': 'off'
}

// strictTypeChecked is recommendedTypeChecked plus the strict rules; these are the ones that do not fit.
const typeRules = {
  // noUncheckedIndexedAccess makes every indexed read optional; the hashing and index loops assert
  // after their own bounds checks, and rewriting each one would add branches to hot paths, not safety.
  '@typescript-eslint/no-non-null-assertion': 'off',
  // It trusts declared types, but the code checks at run time what the types of its inputs claim
  // (untrusted JSON, LevelDB misses, image headers), and tests clean up after a failed `before`.
  '@typescript-eslint/no-unnecessary-condition': 'off',
  // An async function without await still turns a throw into a rejection, and implements a
  // Promise-returning interface or a fastify hook without Promise.resolve noise.
  '@typescript-eslint/require-await': 'off',
  // `return print(...)` in a function that itself returns nothing is the code's early-exit idiom.
  '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreVoidReturningFunctions: true }],
  // Destructuring a key away to drop it, and `_`-named loop variables that only count, are deliberate.
  '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
  // Numbers and booleans read fine in messages; objects and unknowns are still refused.
  '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }]
}

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'data/', '.bench-tmp/'] },
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname
      }
    }
  },
  stylistic.configs.customize({ indent: 2, quotes: 'single', semi: false, jsx: false, braceStyle: '1tbs', commaDangle: 'never' }),
  { rules: { ...style, ...typeRules } }
)
