import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as schema from '../src/db/schema.js';
import { JOB_KIND_NAMES } from '../src/services/jobs.js';
import { jobHandlers, jobPlanners, jobRegistry } from '../src/jobs/registry.js';

/**
 * The layering DESIGN.md asks for, enforced by reading src/. Imports are read with the
 * TypeScript parser, so `import type` and `import { type X }` are told apart from imports that
 * load code at run time. A failure names the file and the import to remove.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');

interface Import {
  /** The module specifier as written. */
  specifier: string;
  /** The absolute path it points at (relative imports only; `.js` written for `.ts`). */
  target: string | undefined;
  /** True when nothing is loaded at run time (`import type`, or every name marked `type`). */
  typeOnly: boolean;
  /** Names loaded at run time; '*' for a namespace or default import, empty for a bare `import 'x'`. */
  names: string[];
  line: number;
}

interface SourceFile {
  path: string;
  /** Path relative to src/, with forward slashes. */
  rel: string;
  text: string;
  imports: Import[];
}

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return listTs(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function readImports(path: string, text: string): Import[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean, node: ts.Node, names: string[] = ['*']) => {
    const target = specifier.startsWith('.') ? resolve(dirname(path), specifier).replace(/\.js$/, '.ts') : undefined;
    found.push({ specifier, target, typeOnly, names: typeOnly ? [] : names, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const everyNameIsType =
        clause !== undefined && clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
      const names =
        clause === undefined
          ? []
          : clause.name !== undefined || (bindings !== undefined && ts.isNamespaceImport(bindings))
            ? ['*']
            : bindings !== undefined && ts.isNamedImports(bindings)
              ? bindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text)
              : [];
      add(node.moduleSpecifier.text, clause?.isTypeOnly === true || everyNameIsType, node, names);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg !== undefined && ts.isStringLiteral(arg)) add(arg.text, false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const files: SourceFile[] = listTs(src).map((path) => {
  const text = readFileSync(path, 'utf8');
  return { path, rel: relative(src, path).split('\\').join('/'), text, imports: readImports(path, text) };
});

/**
 * Exported functions of a service module that take the database (a `ServiceDeps`, `Db` or
 * `DbHandle` parameter): these are the side-effecting verbs. Constants and pure helpers are not.
 */
function databaseVerbs(f: SourceFile): Set<string> {
  const file = ts.createSourceFile(f.path, f.text, ts.ScriptTarget.ES2022, true);
  const verbs = new Set<string>();
  const takesDb = (params: ts.NodeArray<ts.ParameterDeclaration>) => params.some((p) => p.type !== undefined && /\b(ServiceDeps|Db|DbHandle)\b/.test(p.type.getText(file)));
  const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined && exported(statement) && takesDb(statement.parameters)) verbs.add(statement.name.text);
    if (ts.isVariableStatement(statement) && exported(statement)) {
      for (const decl of statement.declarationList.declarations) {
        const init = decl.initializer;
        if (ts.isIdentifier(decl.name) && init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && takesDb(init.parameters)) verbs.add(decl.name.text);
      }
    }
  }
  return verbs;
}

const inside = (target: string | undefined, folder: string) => target !== undefined && target.startsWith(join(src, folder) + '/');
const isFile = (target: string | undefined, file: string) => target === join(src, file);
const describeImport = (f: SourceFile, i: Import) => `src/${f.rel}:${i.line} imports '${i.specifier}'`;

type Finding = 'process.env' | 'console' | 'clock';

/** Where code (never a comment or a string) reads process.env, calls console.*, or reads the wall clock. */
function findUses(path: string, text: string): { what: Finding; line: number }[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: { what: Finding; line: number }[] = [];
  const at = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const object = node.expression.text;
      const name = node.name.text;
      if (object === 'process' && name === 'env') found.push({ what: 'process.env', line: at(node) });
      if (object === 'console') found.push({ what: 'console', line: at(node) });
      if (object === 'Date' && name === 'now') found.push({ what: 'clock', line: at(node) });
    }
    if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process') {
      found.push({ what: 'process.env', line: at(node) });
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments?.length ?? 0) === 0) {
      found.push({ what: 'clock', line: at(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function offencesOf(what: Finding, except: string[] = []): string[] {
  return files
    .filter((f) => !except.includes(f.rel))
    .flatMap((f) => findUses(f.path, f.text).filter((u) => u.what === what).map((u) => `src/${f.rel}:${u.line}`));
}

describe('layering', () => {
  it('reads every source file (the walk found src/)', () => {
    expect(files.map((f) => f.rel)).toEqual(expect.arrayContaining(['config.ts', 'app.ts', 'db/schema.ts', 'slack/messenger.ts']));
  });

  it('services/ never import @slack/* or anything under src/slack', () => {
    const offences = files
      .filter((f) => f.rel.startsWith('services/'))
      .flatMap((f) => f.imports.filter((i) => i.specifier.startsWith('@slack/') || inside(i.target, 'slack')).map((i) => describeImport(f, i)));
    expect(offences).toEqual([]);
  });

  it('slack/blocks/ builders are pure: no database, Slack client, clock or service verb at run time', () => {
    // Constants and pure helpers from services/ are fine (one source for a limit); a verb that takes the database is not.
    const byPath = new Map(files.map((f) => [f.path, f]));
    const offences = files
      .filter((f) => f.rel.startsWith('slack/blocks/'))
      .flatMap((f) =>
        f.imports
          .filter((i) => !i.typeOnly && i.names.length > 0)
          .flatMap((i) => {
            const problem = (what: string) => [`${describeImport(f, i)}: ${what}`];
            if (inside(i.target, 'db') || i.specifier.startsWith('drizzle-orm') || i.specifier === 'better-sqlite3') return problem('database code');
            if (i.specifier === '@slack/bolt' || i.specifier === '@slack/web-api') return problem('a Slack client');
            if (['slack/messenger.ts', 'clock.ts', 'config.ts'].some((file) => isFile(i.target, file)) || inside(i.target, 'slack/flows')) return problem('sends, reads the time or the config');
            if (inside(i.target, 'services')) {
              const service = byPath.get(i.target!);
              if (service === undefined) return problem('a service file that does not exist');
              const verbs = databaseVerbs(service);
              const used = i.names.includes('*') ? [...verbs] : i.names.filter((n) => verbs.has(n));
              if (used.length > 0) return problem(`service verbs that take the database (${used.join(', ')})`);
            }
            return [];
          }),
      );
    expect(offences).toEqual([]);
  });

  it('slack/listeners/ and jobs/ hold no SQL: no drizzle or schema at run time (they call services)', () => {
    const offences = files
      .filter((f) => f.rel.startsWith('slack/listeners/') || f.rel.startsWith('jobs/'))
      .flatMap((f) =>
        f.imports
          .filter((i) => !i.typeOnly && (i.specifier.startsWith('drizzle-orm') || i.specifier === 'better-sqlite3' || inside(i.target, 'db')))
          .map((i) => describeImport(f, i)),
      );
    expect(offences).toEqual([]);
  });
});

/**
 * The structure rules, each a function of a tree (its files and its src/ folder) so that a test
 * can show each one failing on a small tree that breaks it.
 */
interface Tree {
  root: string;
  files: SourceFile[];
}

const under = (tree: Tree, target: string | undefined, folder: string) => target !== undefined && target.startsWith(join(tree.root, folder) + '/');
const loads = (i: Import) => !i.typeOnly;
const isDatabase = (tree: Tree, i: Import) => i.specifier.startsWith('drizzle-orm') || i.specifier === 'better-sqlite3' || under(tree, i.target, 'db');
const importsOf = (tree: Tree, folder: string, bad: (i: Import) => boolean) =>
  tree.files.filter((f) => f.rel.startsWith(folder)).flatMap((f) => f.imports.filter(bad).map((i) => `src/${f.rel}:${i.line} imports '${i.specifier}'`));

const structureRules = {
  /** Every strongly connected group of files (type-only imports included: a cycle of types is still a knot to untie). */
  noImportCycles(tree: Tree): string[] {
    const edges = new Map(tree.files.map((f) => [f.path, f.imports.map((i) => i.target).filter((t): t is string => t !== undefined && tree.files.some((g) => g.path === t))]));
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[] = [];
    let next = 0;
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next);
      next += 1;
      stack.push(v);
      onStack.add(v);
      for (const w of edges.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const group: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          group.push(relative(tree.root, w));
        } while (w !== v);
        const selfImport = group.length === 1 && (edges.get(v) ?? []).includes(v);
        if (group.length > 1 || selfImport) cycles.push(group.sort().join(' <-> '));
      }
    };
    for (const f of tree.files) if (!index.has(f.path)) visit(f.path);
    return cycles;
  },
  noDatabaseUnderSlackOrJobs: (tree: Tree) => [
    ...importsOf(tree, 'slack/', (i) => loads(i) && isDatabase(tree, i)),
    ...importsOf(tree, 'jobs/', (i) => loads(i) && isDatabase(tree, i)),
  ],
  onlyTheMessengerImportsWebApi: (tree: Tree) =>
    tree.files.filter((f) => f.rel !== 'slack/messenger.ts').flatMap((f) => f.imports.filter((i) => i.specifier === '@slack/web-api').map((i) => `src/${f.rel}:${i.line} imports '${i.specifier}'`)),
  /** db/ stands on nothing of the app's but the foundations errors.ts and clock.ts, so everything can build on it. */
  dbImportsNothingAbove: (tree: Tree) =>
    importsOf(tree, 'db/', (i) => i.target !== undefined && !under(tree, i.target, 'db') && !['errors.ts', 'clock.ts'].some((f) => i.target === join(tree.root, f))),
  flowsNeverImportListenersOrJobs: (tree: Tree) => importsOf(tree, 'slack/flows/', (i) => under(tree, i.target, 'slack/listeners') || under(tree, i.target, 'jobs')),
  listenersNeverImportJobs: (tree: Tree) => importsOf(tree, 'slack/listeners/', (i) => under(tree, i.target, 'jobs')),
  jobsNeverImportListeners: (tree: Tree) => importsOf(tree, 'jobs/', (i) => under(tree, i.target, 'slack/listeners')),
  /** services/ hold the rules: they take ServiceDeps, not the app container, and know nothing of jobs' handlers, Slack or how things are drawn. */
  servicesStandAlone: (tree: Tree) =>
    importsOf(tree, 'services/', (i) => i.specifier.startsWith('@slack/') || ['slack', 'jobs', 'charts', 'render'].some((d) => under(tree, i.target, d)) || i.target === join(tree.root, 'deps.ts') || i.target === join(tree.root, 'app.ts')),
  /** charts/ are pure renderers: data in, an image out; no database, Slack, services or clock. */
  chartsArePure: (tree: Tree) => pureRenderer(tree, 'charts/'),
  /** render/ turns Block Kit into text and HTML: blocks in, a string out; the same rule as charts/. */
  renderIsPure: (tree: Tree) => pureRenderer(tree, 'render/'),
};

function pureRenderer(tree: Tree, folder: string): string[] {
  return importsOf(tree, folder, (i) => i.specifier.startsWith('@slack/') || isDatabase(tree, i) || ['slack', 'services', 'jobs'].some((d) => under(tree, i.target, d)) || i.target === join(tree.root, 'clock.ts'));
}

const realTree: Tree = { root: src, files };

/** A small tree written in place: path (under src/) -> its source text. */
function sampleTree(sources: Record<string, string>): Tree {
  const root = '/sample/src';
  return {
    root,
    files: Object.entries(sources).map(([rel, text]) => {
      const path = join(root, rel);
      return { path, rel, text, imports: readImports(path, text) };
    }),
  };
}

describe('structure', () => {
  it('no import cycles anywhere in src/', () => {
    expect(structureRules.noImportCycles(realTree)).toEqual([]);
  });
  it('no drizzle, better-sqlite3 or db/ at run time under slack/ or jobs/ (they call services)', () => {
    expect(structureRules.noDatabaseUnderSlackOrJobs(realTree)).toEqual([]);
  });
  it('only slack/messenger.ts imports @slack/web-api (the one place that sends)', () => {
    expect(structureRules.onlyTheMessengerImportsWebApi(realTree)).toEqual([]);
  });
  it('db/ imports nothing above it', () => {
    expect(structureRules.dbImportsNothingAbove(realTree)).toEqual([]);
  });
  it('flows never import listeners or jobs; listeners and jobs never import each other', () => {
    expect([...structureRules.flowsNeverImportListenersOrJobs(realTree), ...structureRules.listenersNeverImportJobs(realTree), ...structureRules.jobsNeverImportListeners(realTree)]).toEqual([]);
  });
  it('services/ never import slack/, jobs/, charts/, the app or its container', () => {
    expect(structureRules.servicesStandAlone(realTree)).toEqual([]);
  });
  it('charts/ are pure renderers', () => {
    expect(structureRules.chartsArePure(realTree)).toEqual([]);
  });
  it('render/ (Block Kit to text and HTML) is pure', () => {
    expect(structureRules.renderIsPure(realTree)).toEqual([]);
  });

  it('every job kind has a handler (the registry is typed over the kind names; this checks the table at run time too)', () => {
    expect(Object.keys(jobRegistry).sort()).toEqual([...JOB_KIND_NAMES].sort());
    for (const name of JOB_KIND_NAMES) {
      expect(jobRegistry[name].definition.kind).toBe(name);
      expect(typeof jobRegistry[name].handler).toBe('function');
      expect(typeof jobHandlers[name]).toBe('function');
    }
    expect(jobPlanners.length).toBeGreaterThan(0);
  });

  it('each rule fails on a tree that breaks it', () => {
    const broken = sampleTree({
      'services/a.ts': "import { b } from './b.js';\nimport { x } from '../slack/flows/x.js';",
      'services/b.ts': "import type { A } from './a.js';",
      'slack/flows/x.ts': "import { sql } from 'drizzle-orm';\nimport { h } from '../listeners/h.js';\nimport { run } from '../../jobs/run.js';",
      'slack/listeners/h.ts': "import { run } from '../../jobs/run.js';\nimport { WebClient } from '@slack/web-api';",
      'jobs/run.ts': "import { db } from '../db/client.js';\nimport { h } from '../slack/listeners/h.js';",
      'db/client.ts': "import { config } from '../config.js';\nimport type { Logger } from '../logger.js';",
      'charts/c.ts': "import { now } from '../clock.js';",
      'render/r.ts': "import { listSessions } from '../services/sessions.js';\nimport type { Db } from '../db/client.js';",
    });
    for (const [name, rule] of Object.entries(structureRules)) expect(rule(broken), name).not.toEqual([]);
    const clean = sampleTree({ 'services/a.ts': "import { b } from './b.js';", 'services/b.ts': "import { z } from 'zod';", 'db/client.ts': "import { AppError } from '../errors.js';" });
    for (const [name, rule] of Object.entries(structureRules)) expect(rule(clean), name).toEqual([]);
  });
});

describe('house rules', () => {
  it('only src/config.ts reads process.env', () => {
    expect(offencesOf('process.env', ['config.ts'])).toEqual([]);
  });

  it('no console.* in src/ (use the logger; main.ts writes start-up problems to stderr)', () => {
    expect(offencesOf('console')).toEqual([]);
  });

  it('time is read only through the Clock: no Date.now() or argument-less new Date() outside src/clock.ts', () => {
    expect(offencesOf('clock', ['clock.ts'])).toEqual([]);
  });

  it('the checks can fail: they see uses in code, and ignore comments and strings', () => {
    const sample = "// console.log(process.env.X) in a comment\nconst a = 'console.log(Date.now())';\nconsole.log(process.env.X, new Date(), Date.now(), new Date(5));";
    expect(findUses('/x.ts', sample)).toEqual([
      { what: 'console', line: 3 },
      { what: 'process.env', line: 3 },
      { what: 'clock', line: 3 },
      { what: 'clock', line: 3 },
    ]);
    const imports = readImports('/x/src/slack/blocks/a.ts', "import type { Db } from '../../db/client.js';\nimport { type X, y } from '../../db/schema.js';\nimport { type Z } from '../../db/schema.js';");
    const verbs = databaseVerbs({
      path: '/x/src/services/s.ts',
      rel: 'services/s.ts',
      imports: [],
      text: 'export const MAX = 3;\nexport function pure(a: number) { return a; }\nexport function save(deps: ServiceDeps, x: number) {}\nexport const load = (deps: Pick<ServiceDeps, "db">) => 1;',
    });
    expect([...verbs].sort()).toEqual(['load', 'save']);
    expect(imports.map((i) => [i.typeOnly, i.target])).toEqual([
      [true, '/x/src/db/client.ts'],
      [false, '/x/src/db/schema.ts'],
      [true, '/x/src/db/schema.ts'],
    ]);
  });
});

describe('schema', () => {
  const tables: SQLiteTable[] = Object.values(schema as Record<string, unknown>).filter((value): value is SQLiteTable => is(value, SQLiteTable));

  it('finds the tables', () => {
    expect(tables.map((t) => getTableConfig(t).name)).toEqual(expect.arrayContaining(['workspaces', 'members', 'sessions', 'participants', 'jobs', 'polls', 'poll_votes']));
  });

  it('every table has a non-null team_id column, and it is in the primary key or a unique index', () => {
    const offences: string[] = [];
    for (const table of tables) {
      const config = getTableConfig(table);
      const teamId = config.columns.find((c) => c.name === 'team_id');
      if (teamId === undefined) {
        offences.push(`${config.name} has no team_id column`);
        continue;
      }
      if (!teamId.notNull && !teamId.primary) offences.push(`${config.name}.team_id is nullable`);
      const inPrimaryKey = teamId.primary || config.primaryKeys.some((pk) => pk.columns.some((c) => c.name === 'team_id'));
      const inUniqueIndex = config.indexes.some((ix) => ix.config.unique && ix.config.columns.some((c) => 'name' in c && c.name === 'team_id'));
      const inUniqueConstraint = config.uniqueConstraints.some((u) => u.columns.some((c) => c.name === 'team_id'));
      if (!inPrimaryKey && !inUniqueIndex && !inUniqueConstraint) offences.push(`${config.name}: team_id is in neither its primary key nor a unique index`);
    }
    expect(offences).toEqual([]);
  });
});
