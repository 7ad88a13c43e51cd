// The dashboard's pure functions under `node --test` (make node-test, part of `make test`): what
// needs no page, no browser and no API. The pages themselves are tests/browser's.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, describe, newIdempotencyKey } from "../../dashboard/js/api.js";
import { accessOf, claimsOf } from "../../dashboard/js/auth.js";
import { formatPoints, formatTime } from "../../dashboard/js/dom.js";
import { wholeNumber } from "../../dashboard/js/ui.js";

function jwtWith(claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "RS256" })}.${encode(claims)}.signature`;
}

test("describe says what failed in words, with the API's message and the invalid fields", () => {
  assert.equal(describe(404, { message: "no customer c-9" }), "Not found: no customer c-9");
  assert.equal(describe(401, null), "You are not signed in, or your sign-in has expired.");
  assert.equal(describe(502, {}), "The service failed.");
  const invalid = describe(422, {
    message: "invalid body",
    details: [{ loc: ["body", "points"], msg: "must be an integer" }],
  });
  assert.match(invalid, /^Some values are not valid: invalid body/);
  assert.match(invalid, /points: must be an integer/);
});

test("an ApiError is worth retrying only when the request may not have been applied", () => {
  assert.equal(new ApiError(0, "network", "down").transient, true);
  assert.equal(new ApiError(503, "busy", "busy").transient, true);
  assert.equal(new ApiError(409, "conflict", "no").transient, false);
});

test("idempotency keys are fresh every time", () => {
  const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
  assert.equal(keys.size, 50);
});

test("claimsOf reads a token's claims, non-ASCII included, and an unreadable token has none", () => {
  assert.deepEqual(claimsOf(jwtWith({ email: "zoë@example.com", exp: 1 })), { email: "zoë@example.com", exp: 1 });
  assert.deepEqual(claimsOf("not a token"), {});
});

test("accessOf gives the stores of the token's groups, and operators every store", () => {
  assert.deepEqual(accessOf({ "cognito:groups": ["store:acme", "store:beta"] }), {
    operator: false,
    stores: ["acme", "beta"],
  });
  assert.deepEqual(accessOf({ "cognito:groups": "operators, store:acme" }), { operator: true, stores: ["acme"] });
  assert.deepEqual(accessOf({}), { operator: false, stores: [] });
});

test("wholeNumber takes whole numbers only, and names the field it refuses", () => {
  assert.equal(wholeNumber(" -12 ", "Points"), -12);
  assert.throws(() => wholeNumber("1.5", "Points"), /Points must be a whole number/);
  assert.throws(() => wholeNumber("", "Points"), /Points must be a whole number/);
});

test("points and times are formatted for people, and a missing time is a dash", () => {
  assert.equal(formatPoints(undefined), formatPoints(0));
  assert.equal(formatTime(""), "—");
  assert.equal(formatTime("not a time"), "not a time");
  assert.notEqual(formatTime("2026-12-04T10:00:00Z"), "2026-12-04T10:00:00Z");
});
