import type { ServiceTarget } from "./types.js";

export interface ServiceSpec {
  /** Short service name for messages, e.g. "postgres". */
  name: string;
  /** Environment variable holding the URL, e.g. LANGSWARM_TEST_POSTGRES_URL. */
  envVar: string;
  /** How to start it with testcontainers when a container runtime answers. */
  container?: {
    image: string;
    port: number;
    env?: Record<string, string>;
    command?: string[];
    url: (host: string, port: number) => string;
  };
}

/**
 * Where to find a real server, in order: (1) the URL in `envVar`; (2) a testcontainers container when
 * the `testcontainers` package is installed and a container runtime answers; (3) a skip whose reason
 * names what would enable the run.
 */
export async function resolveService(spec: ServiceSpec): Promise<ServiceTarget> {
  const url = process.env[spec.envVar];
  if (url) return { kind: "env", url, variable: spec.envVar };
  if (spec.container) {
    const started = await tryContainer(spec.container);
    if (started.target) return started.target;
    return {
      kind: "skip",
      reason: `set ${spec.envVar} to a ${spec.name} URL, or provide a container runtime (${started.why})`,
    };
  }
  return { kind: "skip", reason: `set ${spec.envVar} to a ${spec.name} URL` };
}

async function tryContainer(
  container: NonNullable<ServiceSpec["container"]>,
): Promise<{ target?: ServiceTarget; why: string }> {
  // biome-ignore lint/suspicious/noExplicitAny: testcontainers is an optional peer, typed loosely on purpose
  let tc: Record<string, any>;
  try {
    const moduleName = "testcontainers";
    tc = await import(moduleName);
  } catch {
    return { why: "the testcontainers package is not installed" };
  }
  try {
    // A cheap probe: without a Docker socket this rejects in milliseconds.
    await tc.getContainerRuntimeClient();
  } catch {
    return { why: "no container runtime answered" };
  }
  let builder = new tc.GenericContainer(container.image).withExposedPorts(container.port);
  if (container.env) builder = builder.withEnvironment(container.env);
  if (container.command) builder = builder.withCommand(container.command);
  const started = await builder.start();
  const url = container.url(started.getHost(), started.getMappedPort(container.port));
  return {
    target: { kind: "container", url, image: container.image, stop: async () => void (await started.stop()) },
    why: "",
  };
}
