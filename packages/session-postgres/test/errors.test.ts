import { describe, expect, it } from "vitest";
import { isConnectionError, mapError } from "../src/errors.js";
import { makeScrubber } from "../src/settings.js";

const ctx = { operation: "op", target: "h:5432/db", scrub: makeScrubber(["hunter22"]) };
const pgError = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("error mapping", () => {
  it.each([
    [
      "ECONNREFUSED",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    ],
    ["ECONNRESET", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["57P01 admin shutdown", pgError("57P01", "terminating connection due to administrator command")],
    ["57P03 starting up", pgError("57P03", "the database system is starting up")],
    ["08006 connection failure", pgError("08006")],
    ["08P01 protocol violation", pgError("08P01")],
    ["pool ended", new Error("Cannot use a pool after calling end on the pool")],
    ["connect timeout", new Error("timeout exceeded when trying to connect")],
    ["terminated", new Error("Connection terminated unexpectedly")],
    ["statement timeout", pgError("57014", "canceling statement due to statement timeout")],
  ])("%s -> BackendUnavailableError", (_name, error) => {
    expect(mapError(error, ctx)).toMatchObject({
      code: "BACKEND_UNAVAILABLE",
      backend: "postgres",
      cause: error,
    });
  });

  it("unique violation -> ConflictError; auth failure -> ConfigError; date overflow -> ValidationError", () => {
    expect(mapError(pgError("23505"), ctx)).toMatchObject({ code: "CONFLICT" });
    expect(mapError(pgError("28P01"), ctx)).toMatchObject({ code: "CONFIG" });
    expect(mapError(pgError("3D000"), ctx)).toMatchObject({ code: "CONFIG" });
    expect(mapError(pgError("22008"), ctx)).toMatchObject({ code: "VALIDATION" });
  });

  it("missing tables -> BackendError that says to run setup()", () => {
    const mapped = mapError(pgError("42P01", 'relation "x" does not exist'), ctx);
    expect(mapped).toMatchObject({ code: "BACKEND" });
    expect(mapped.message).toMatch(/call setup\(\)/);
  });

  it("anything else -> BackendError with the SQLSTATE", () => {
    const mapped = mapError(pgError("42501", "permission denied for table x"), ctx);
    expect(mapped).toMatchObject({ code: "BACKEND" });
    expect(mapped.message).toMatch(/SQLSTATE 42501/);
    expect(mapError(new TypeError("bug"), ctx)).toMatchObject({ code: "BACKEND" });
  });

  it("our own abort wins over the cancel error it causes", () => {
    expect(
      mapError(pgError("57014", "canceling statement due to user request"), { ...ctx, aborted: true }),
    ).toMatchObject({ code: "ABORTED" });
  });

  it("passwords are scrubbed from driver messages, also inside URLs", () => {
    const mapped = mapError(new Error("could not use postgres://bob:hunter22@h/db nor hunter22"), ctx);
    expect(mapped.message).not.toContain("hunter22");
    expect(mapped.message).toContain("postgres://bob:***@h/db");
  });

  it("a SQL error is not mistaken for a dead connection", () => {
    expect(isConnectionError(pgError("23505"))).toBe(false);
    expect(isConnectionError(pgError("08003"))).toBe(true);
    expect(
      isConnectionError(Object.assign(new Error("no socket"), { code: "ENOENT", syscall: "connect" })),
    ).toBe(true);
    expect(
      isConnectionError(Object.assign(new Error("no cert file"), { code: "ENOENT", syscall: "open" })),
    ).toBe(false);
  });
});
