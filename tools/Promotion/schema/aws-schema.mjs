#!/usr/bin/env node
// Derives a compact schema of the Terraform AWS provider from the pinned npm package of the selected CDK's AWS
// provider (@cdktf/provider-aws for CDKTF, @cdktn/provider-aws for CDK Terrain: the provider's jsii assembly and its
// generated JavaScript), for the offline validation of the synthesized Terraform JSON (tools/Promotion, `validate`).
// `terraform validate` would need the provider binary, which cannot be downloaded here; the jsii package is generated
// from that binary's schema (the bindings' fact TerraformAwsProviderVersion: 6.25.0 for CDKTF, 6.66.0 for CDK
// Terrain), so it carries the same names:
// - Terraform names: the generated `synthesizeAttributes()` of each resource class and the `xxxToTerraform(struct)`
//   function of each nested block (lib/<resource>/index.js) map every camelCase property to its Terraform name;
//   that code is what the CDK itself runs to write cdk.tf.json, so it is the authoritative map.
// - Required arguments: the non-optional properties of the `XxxConfig` struct (and of each block's struct) in .jsii.
// - Readable attributes: the arguments plus the resource class's getters (`getStringAttribute('arn')`, ...).
//
// Output: one JSON file, {provider, resources: {aws_x: S}, dataSources: {aws_x: S}, providerConfig: {aws: S}} with
// S = {args: {name: {r?: 1, b?: S (nested block), l?: 1 (block list)}}, attrs: [names]}. Written to
// .bindings/schema/aws-provider-<package>-<version>-<hash of this script>.json; nothing is done when it exists.
// The CDK (--cdk, default cdktf; make passes CDK) names no package here: its facts do, from the props file
// bindings/build.mjs generated (.bindings/Bindings.props, .bindings/<cdk>/Bindings.props): AwsProviderNpmPackage,
// CdkNodeModules (the folder holding it) and CdkCoreNpmPackage (the module variable of the generated JavaScript,
// `const cdktf = require("cdktf")` or `cdktn`).
// Usage: node tools/Promotion/schema/aws-schema.mjs [--cdk cdktf|terrain] [--print-path] [--force]
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "..", "..", "..");
const cdkArg = process.argv.findIndex(a => a === "--cdk");
const cdkName = cdkArg >= 0 ? process.argv[cdkArg + 1] : "cdktf";
if (!/^[a-z][a-z0-9-]*$/.test(cdkName ?? "")) {
  console.error(`schema: --cdk '${cdkName ?? ""}' is not a CDK name. Fix: --cdk cdktf or --cdk terrain.`);
  process.exit(2);
}
const propsFile = path.join(root, ".bindings", ...(cdkName === "cdktf" ? [] : [cdkName]), "Bindings.props");
if (!fs.existsSync(propsFile)) {
  console.error(`schema: ${path.relative(root, propsFile)} is missing (the facts of CDK '${cdkName}'). ` +
    `Fix: make bindings${cdkName === "cdktf" ? "" : ` CDK=${cdkName}`} (or node bindings/build.mjs --cdk ${cdkName}).`);
  process.exit(1);
}
const propsText = fs.readFileSync(propsFile, "utf8");
const fact = name => {
  const value = new RegExp(`<${name}>([^<]+)</${name}>`).exec(propsText)?.[1]?.replace(/&amp;/g, "&");
  if (!value) {
    console.error(`schema: ${path.relative(root, propsFile)} has no ${name}: it was written by an older bindings/build.mjs. ` +
      `Fix: make bindings${cdkName === "cdktf" ? "" : ` CDK=${cdkName}`}.`);
    process.exit(1);
  }
  return value;
};
const pkgName = fact("AwsProviderNpmPackage");
const moduleVar = fact("CdkCoreNpmPackage");
const pkgDir = path.join(root, fact("CdkNodeModules"), ...pkgName.split("/"));
const pkgFile = path.join(pkgDir, "package.json");
if (!fs.existsSync(pkgFile)) {
  console.error(`schema: ${path.relative(root, pkgDir)} is missing. Fix: make deps${cdkName === "cdktf" ? "" : ` CDK=${cdkName}`} (make synth and make test do this).`);
  process.exit(1);
}
const version = JSON.parse(fs.readFileSync(pkgFile, "utf8")).version;
const scriptHash = createHash("sha256").update(fs.readFileSync(here)).digest("hex").slice(0, 10);
const outDir = path.join(root, ".bindings", "schema");
const outFile = path.join(outDir, `aws-provider-${pkgName.replace(/^@/, "").replace(/\//g, "-")}-${version}-${scriptHash}.json`);
if (process.argv.includes("--print-path")) {
  console.log(path.relative(root, outFile));
  process.exit(0);
}
if (fs.existsSync(outFile) && !process.argv.includes("--force")) process.exit(0);

const jsii = JSON.parse(fs.readFileSync(path.join(pkgDir, ".jsii"), "utf8"));
const providerVersion = /providerVersion: '([^']+)'/.exec(fs.readFileSync(path.join(pkgDir, "lib", "provider", "index.js"), "utf8"))?.[1];

/** Parses `name: <expression>` lines of an object literal body into [{tf, camel, fn, list}]. */
function mappings(body, receiver) {
  const out = [];
  const re = new RegExp(`^\\s+([A-Za-z0-9_]+): (.*)$`, "gm");
  for (const m of body.matchAll(re)) {
    const [, tf, expr] = m;
    const camel = new RegExp(`${receiver}\\.([A-Za-z0-9_]+)`).exec(expr)?.[1];
    if (!camel) continue;
    const fn = /(?:^|[(, ])([a-z][A-Za-z0-9]*)ToTerraform[,(]/.exec(expr.replace(coreToTerraform, ""))?.[1];
    out.push({ tf, camel: camel.replace(/^_/, "").replace(/\.internalValue$/, ""), fn, list: /listMapper\(/.test(expr) });
  }
  return out;
}

// The generated JavaScript names the CDK's core module by its package name: `cdktf.TerraformResource`, `cdktn.listMapper`.
const escapeRe = s => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const coreToTerraform = new RegExp(`${escapeRe(moduleVar)}\\.[a-zA-Z]+ToTerraform`, "g");
const classRe = new RegExp(`^class ([A-Za-z0-9]+) extends ${escapeRe(moduleVar)}\\.(TerraformResource|TerraformDataSource|TerraformProvider) \\{([\\s\\S]*?)^exports\\.\\1 = \\1;`, "m");
const requiresCore = new RegExp(`\\b${escapeRe(moduleVar)} = (?:__importStar\\()?require\\("${escapeRe(moduleVar)}"\\)`);
const upperFirst = s => s[0].toUpperCase() + s.slice(1);
let unmapped = 0;

function buildModule(ns, dir) {
  const js = fs.readFileSync(path.join(pkgDir, "lib", dir, "index.js"), "utf8").split("//# sourceMappingURL")[0];
  const structFns = new Map();
  for (const m of js.matchAll(/^function ([a-z][A-Za-z0-9]*)ToTerraform\(struct\) \{([\s\S]*?)^\}/gm)) {
    const ret = /return \{([\s\S]*?)\};/.exec(m[2]);
    structFns.set(m[1], ret ? mappings(ret[1], "struct") : []);
  }
  const cls = classRe.exec(js);
  if (!cls) return null;
  const [, className, kind, body] = cls;
  const tfType = /terraformResourceType: '([a-z0-9_]+)'/.exec(body)?.[1] ?? /tfResourceType = "([a-z0-9_]+)"/.exec(js)?.[1];
  const synth = /synthesizeAttributes\(\) \{\s*return \{([\s\S]*?)\};/.exec(body);
  const fqn = name => `${pkgName}.${ns}.${name}`;

  const seen = new Set();
  function structSchema(structName, entries) {
    const type = jsii.types[fqn(structName)];
    const optional = new Map((type?.properties ?? []).map(p => [p.name, !!p.optional]));
    const args = {};
    for (const e of entries) {
      const a = {};
      if (optional.get(e.camel) === false) a.r = 1;
      if (!optional.has(e.camel)) unmapped++;
      if (e.fn && structFns.has(e.fn) && !seen.has(e.fn)) {
        seen.add(e.fn);
        a.b = structSchema(upperFirst(e.fn), structFns.get(e.fn));
        seen.delete(e.fn);
        if (e.list) a.l = 1;
      }
      args[e.tf] = a;
    }
    return { args };
  }

  const configName = kind === "TerraformProvider" ? `${className}Config` : `${className}Config`;
  const schema = structSchema(configName, synth ? mappings(synth[1], "this") : []);
  const attrs = new Set(Object.keys(schema.args));
  for (const m of body.matchAll(/this\.get[A-Za-z]*Attribute\('([a-z0-9_]+)'\)/g)) attrs.add(m[1]);
  for (const m of body.matchAll(/new [A-Za-z0-9]+\(this, "([a-z0-9_]+)"/g)) attrs.add(m[1]);
  schema.attrs = [...attrs].sort();
  return { kind, tfType, schema };
}

if (!requiresCore.test(fs.readFileSync(path.join(pkgDir, "lib", "provider", "index.js"), "utf8"))) {
  console.error(`schema: ${pkgName}@${version}'s JavaScript does not require "${moduleVar}" (CdkCoreNpmPackage of ${path.relative(root, propsFile)}). ` +
    "Fix: the facts and the package disagree: make bindings again, or update tools/Promotion/schema/aws-schema.mjs.");
  process.exit(1);
}
const result = { provider: "hashicorp/aws", providerVersion, package: `${pkgName}@${version}`, resources: {}, dataSources: {}, providerConfig: {} };
for (const [sub, info] of Object.entries(jsii.submodules)) {
  const ns = sub.split(".").pop();
  const dir = /^src\/([^/]+)\/index:/.exec(info.symbolId ?? "")?.[1];
  if (!dir || !fs.existsSync(path.join(pkgDir, "lib", dir, "index.js"))) continue;
  const mod = buildModule(ns, dir);
  if (!mod) continue;
  if (mod.kind === "TerraformResource") result.resources[mod.tfType] = mod.schema;
  else if (mod.kind === "TerraformDataSource") result.dataSources[mod.tfType.replace(/^data_/, "")] = mod.schema;
  else result.providerConfig.aws = mod.schema;
}
const counts = `${Object.keys(result.resources).length} resources, ${Object.keys(result.dataSources).length} data sources`;
if (Object.keys(result.resources).length < 1000 || !result.providerConfig.aws) {
  console.error(`schema: only ${counts} found in ${result.package}; the package layout changed. Fix: update tools/Promotion/schema/aws-schema.mjs.`);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
const tmp = `${outFile}.${process.pid}.tmp`;
fs.writeFileSync(tmp, JSON.stringify(result));
fs.renameSync(tmp, outFile);
console.log(`schema: ${counts} of AWS provider ${providerVersion} -> ${path.relative(root, outFile)}${unmapped ? ` (${unmapped} properties without a jsii struct entry)` : ""}`);
