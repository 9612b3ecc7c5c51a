#!/usr/bin/env node
// Derives a compact schema of the Terraform AWS provider from the pinned npm package @cdktf/provider-aws (the
// provider's jsii assembly and its generated JavaScript), for the offline validation of the synthesized Terraform
// JSON (tools/Promotion, `validate`). `terraform validate` would need the provider binary, which cannot be
// downloaded here; the jsii package is generated from that binary's schema (provider 6.25.0), so it carries the
// same names:
// - Terraform names: the generated `synthesizeAttributes()` of each resource class and the `xxxToTerraform(struct)`
//   function of each nested block (lib/<resource>/index.js) map every camelCase property to its Terraform name;
//   that code is what cdktf itself runs to write cdk.tf.json, so it is the authoritative map.
// - Required arguments: the non-optional properties of the `XxxConfig` struct (and of each block's struct) in .jsii.
// - Readable attributes: the arguments plus the resource class's getters (`getStringAttribute('arn')`, ...).
//
// Output: one JSON file, {provider, resources: {aws_x: S}, dataSources: {aws_x: S}, providerConfig: {aws: S}} with
// S = {args: {name: {r?: 1, b?: S (nested block), l?: 1 (block list)}}, attrs: [names]}. Written to
// .bindings/schema/aws-provider-<version>-<hash of this script>.json; nothing is done when it exists.
// Usage: node tools/Promotion/schema/aws-schema.mjs [--print-path] [--force]
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "..", "..", "..");
const pkgDir = path.join(root, "node_modules", "@cdktf", "provider-aws");
const pkgFile = path.join(pkgDir, "package.json");
if (!fs.existsSync(pkgFile)) {
  console.error("schema: node_modules/@cdktf/provider-aws is missing. Fix: run 'npm ci' (make synth and make test do this).");
  process.exit(1);
}
const version = JSON.parse(fs.readFileSync(pkgFile, "utf8")).version;
const scriptHash = createHash("sha256").update(fs.readFileSync(here)).digest("hex").slice(0, 10);
const outDir = path.join(root, ".bindings", "schema");
const outFile = path.join(outDir, `aws-provider-${version}-${scriptHash}.json`);
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
    const fn = /(?:^|[(, ])([a-z][A-Za-z0-9]*)ToTerraform[,(]/.exec(expr.replace(/cdktf\.[a-zA-Z]+ToTerraform/g, ""))?.[1];
    out.push({ tf, camel: camel.replace(/^_/, "").replace(/\.internalValue$/, ""), fn, list: /listMapper\(/.test(expr) });
  }
  return out;
}

const upperFirst = s => s[0].toUpperCase() + s.slice(1);
let unmapped = 0;

function buildModule(ns, dir) {
  const js = fs.readFileSync(path.join(pkgDir, "lib", dir, "index.js"), "utf8").split("//# sourceMappingURL")[0];
  const structFns = new Map();
  for (const m of js.matchAll(/^function ([a-z][A-Za-z0-9]*)ToTerraform\(struct\) \{([\s\S]*?)^\}/gm)) {
    const ret = /return \{([\s\S]*?)\};/.exec(m[2]);
    structFns.set(m[1], ret ? mappings(ret[1], "struct") : []);
  }
  const cls = /^class ([A-Za-z0-9]+) extends cdktf\.(TerraformResource|TerraformDataSource|TerraformProvider) \{([\s\S]*?)^exports\.\1 = \1;/m.exec(js);
  if (!cls) return null;
  const [, className, kind, body] = cls;
  const tfType = /terraformResourceType: '([a-z0-9_]+)'/.exec(body)?.[1] ?? /tfResourceType = "([a-z0-9_]+)"/.exec(js)?.[1];
  const synth = /synthesizeAttributes\(\) \{\s*return \{([\s\S]*?)\};/.exec(body);
  const fqn = name => `@cdktf/provider-aws.${ns}.${name}`;

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

const result = { provider: "hashicorp/aws", providerVersion, package: `@cdktf/provider-aws@${version}`, resources: {}, dataSources: {}, providerConfig: {} };
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
