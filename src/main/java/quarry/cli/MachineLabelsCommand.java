package quarry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.project.Json;

/**
 * {@code quarry machine-labels}: accept, revoke and follow a project's machine labels on a running
 * server, through its REST API. The server's project session holds the labels in memory and
 * decides what may be accepted; a command that opened the workspace's database beside it would go
 * round that session and leave it with a stale copy.
 */
@Command(name = "machine-labels", mixinStandardHelpOptions = true,
        description = "Machine labels of a project on a running server: the model's own predictions above the"
                + " safe-to-accept threshold, accepted in batches, audited by annotators, revocable.",
        subcommands = {MachineLabelsCommand.Status.class, MachineLabelsCommand.Accept.class,
            MachineLabelsCommand.Revoke.class, MachineLabelsCommand.Settings.class})
public final class MachineLabelsCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The threshold, how many documents accepting now would label, and each batch with its"
                    + " audit's measured precision.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ProjectApi api;

        @Option(names = "--json", description = "print the server's reply as JSON")
        boolean json;

        @Override
        public Integer call() {
            JsonNode s = api.call("GET", api.path("/machine-labels"), null);
            if (json) {
                System.out.println(s.toPrettyString());
                return 0;
            }
            System.out.println(ProjectApi.printable(s.path("note").asText()));
            System.out.println("standing machine labels: " + s.path("standing").asInt() + "; audit: "
                    + audit(s.path("audit")));
            for (JsonNode b : s.path("batches")) {
                System.out.println(batch(b));
            }
            return 0;
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true,
            description = "Accept the model's predictions at or above the safe-to-accept threshold as one batch.")
    static final class Accept implements Callable<Integer> {
        @Mixin
        ProjectApi api;

        @Override
        public Integer call() {
            JsonNode b = api.call("POST", api.path("/machine-labels"), null);
            System.out.println("accepted " + batch(b));
            return 0;
        }
    }

    /** Exactly one of a batch or all: revoking everything is never the default. */
    static final class Which {
        @Option(names = "--batch", paramLabel = "ID", required = true, description = "revoke this batch")
        Long batch;

        @Option(names = "--all", required = true, description = "revoke every machine label of the project")
        boolean all;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke machine labels (people's labels are never touched); the documents go back to the"
                    + " unlabeled pool.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ProjectApi api;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Override
        public Integer call() {
            String path = which.batch != null ? "/machine-labels/batches/" + which.batch : "/machine-labels";
            JsonNode r = api.call("DELETE", api.path(path), null);
            System.out.println("revoked " + r.path("revoked").asInt() + " machine labels"
                    + (which.batch != null ? " of batch " + which.batch : ""));
            return 0;
        }
    }

    @Command(name = "settings", mixinStandardHelpOptions = true,
            description = "Change the machine-label settings; those left out keep their values.")
    static final class Settings implements Callable<Integer> {
        @Mixin
        ProjectApi api;

        @Option(names = "--train", paramLabel = "true|false", arity = "1",
                description = "whether the model trains on machine labels")
        Boolean train;

        @Option(names = "--audit-share", paramLabel = "X", description = "share of each batch audited, 0 to 1")
        Double auditShare;

        @Option(names = "--audit-min", paramLabel = "N", description = "at least this many audited per batch")
        Integer auditMin;

        @Option(names = "--audit-max", paramLabel = "N", description = "at most this many audited per batch")
        Integer auditMax;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("trainOnMachineLabels", train);
            body.put("auditShare", auditShare);
            body.put("auditMin", auditMin);
            body.put("auditMax", auditMax);
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode s = api.call("PUT", api.path("/machine-labels/settings"), Json.write(body));
            System.out.println(s.toString());
            return 0;
        }
    }

    private static String batch(JsonNode b) {
        return String.format(Locale.ROOT, "batch %d: %d labels by model version %d at confidence >= %.4f, %d"
                + " standing, %d revoked; audit: %s", b.path("id").asLong(), b.path("accepted").asInt(),
                b.path("modelVersion").asInt(), b.path("threshold").asDouble(), b.path("standing").asInt(),
                b.path("revoked").asInt(), audit(b.path("audit")));
    }

    private static String audit(JsonNode a) {
        String done = a.path("audited").asInt() + " of " + a.path("sample").asInt() + " checked";
        if (a.path("precision").isNull() || a.path("precision").isMissingNode()) {
            return done;
        }
        return String.format(Locale.ROOT, "%s, %d agreed: precision %.1f%% (95%% interval %.1f%% to %.1f%%)", done,
                a.path("agreed").asInt(), 100 * a.path("precision").asDouble(), 100 * a.path("low").asDouble(),
                100 * a.path("high").asDouble());
    }
}
