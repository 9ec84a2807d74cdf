import ts from 'typescript';

/** One import of a source file: where it is written, what module it names, and which of its exports. */
export interface ImportSite {
  readonly line: number;
  readonly specifier: string;
  /** The exports named (`default` for a default import); `*` when the whole module is taken. */
  readonly names: readonly string[];
}

/**
 * Every module a file names: `import … from`, `export … from`, `import x = require(…)`,
 * dynamic `import(…)` and `import('…').T` in types. A parser, not a pattern, so that strings
 * and comments that merely look like imports are not counted.
 */
export function scanImports(fileName: string, text: string): ImportSite[] {
  const source = parse(fileName, text);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node | undefined, names: readonly string[]): void => {
    if (!node || !ts.isStringLiteralLike(node)) return;
    sites.push({ line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, specifier: node.text, names });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, importedNames(node.importClause));
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, exportedNames(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, ['*']);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], ['*']);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, [node.qualifier ? leftmost(node.qualifier) : '*']);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** The names a module declares and exports itself (not those it re-exports from elsewhere). */
export function declaredExports(fileName: string, text: string): Set<string> {
  const names = new Set<string>();
  for (const statement of parse(fileName, text).statements) {
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
    } else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
      names.add((statement.name as ts.Identifier).text);
    }
  }
  return names;
}

const parse = (fileName: string, text: string) => ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

function importedNames(clause: ts.ImportClause | undefined): string[] {
  if (!clause) return [];
  const names = clause.name ? ['default'] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
  else if (bindings) names.push(...bindings.elements.map((e) => (e.propertyName ?? e.name).text));
  return names;
}

function exportedNames(node: ts.ExportDeclaration): string[] {
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return ['*'];
  return clause.elements.map((e) => (e.propertyName ?? e.name).text);
}

function leftmost(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? name.text : leftmost(name.left);
}

/** What a module re-exports by name: exported name → the module it comes from and its name there. */
export function reExports(fileName: string, text: string): Map<string, { specifier: string; name: string }> {
  const map = new Map<string, { specifier: string; name: string }>();
  for (const statement of parse(fileName, text).statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    if (!clause || !ts.isNamedExports(clause)) continue;
    for (const e of clause.elements) map.set(e.name.text, { specifier: statement.moduleSpecifier.text, name: (e.propertyName ?? e.name).text });
  }
  return map;
}
