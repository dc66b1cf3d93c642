// Validates xAPI statements with Learning Locker's xapi-validation (npm, pinned in
// package.json). Reads a JSON array of statements on stdin; writes a JSON array of error
// strings on stdout, empty when every statement is valid. Used by xapi_validation.py.
"use strict";

const validate = require("xapi-validation").default;

// What each warning class of xapi-validation (and rulr) means, for a readable message.
const DESCRIPTIONS = {
  TypeWarning: (w) => `is not a valid ${w.typeName}`,
  RequiredWarning: () => "is required",
  RestrictedKeysWarning: (w) => `has keys that are not allowed: ${w.keys.join(", ")}`,
  RestrictedValueWarning: (w) => `must be ${JSON.stringify(w.requiredValue)}`,
  IfiCountWarning: (w) => `must use exactly one identifier, uses ${w.usedIfis.join(", ")}`,
  NoIfiWarning: () => "has no identifier (mbox, mbox_sha1sum, openid or account)",
  InvalidComponentsWarning: (w) =>
    `has components not allowed for its interaction type: ${w.invalidComponents.join(", ")}`,
  MinMoreThanMaxWarning: (w) => `has min ${w.min} greater than max ${w.max}`,
  RawLessThanMinWarning: (w) => `has raw ${w.raw} less than min ${w.min}`,
  RawMoreThanMaxWarning: (w) => `has raw ${w.raw} more than max ${w.max}`,
  VoidWarning: (w) => `must reference a statement when the verb is ${w.voidVerbId}`,
};

function describe(warning) {
  const name = warning.constructor.name;
  const explain = DESCRIPTIONS[name];
  let got;
  try {
    got = JSON.stringify(warning.data);
  } catch (error) {
    got = String(warning.data);
  }
  if (got !== undefined && got.length > 120) {
    got = got.slice(0, 117) + "...";
  }
  const what = explain ? explain(warning) : name;
  return `${warning.path.join(".")} ${what} (${name}; got ${got})`;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const statements = JSON.parse(input);
  if (!Array.isArray(statements)) {
    throw new Error("expected a JSON array of statements on stdin");
  }
  const errors = [];
  statements.forEach((statement, index) => {
    for (const warning of validate(statement)) {
      errors.push(`statements[${index}]: ${describe(warning)}`);
    }
  });
  process.stdout.write(JSON.stringify(errors));
});
