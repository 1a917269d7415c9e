package quarry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.core.QuarryException;
import quarry.project.Json;

/**
 * {@code quarry queue-import}: puts documents picked outside the server (a Spark scoring job's
 * output) at the head of a project's queue on a running server, through its REST API.
 */
@Command(name = "queue-import", mixinStandardHelpOptions = true,
        description = {"Put picked documents first in a project's queue on a running server: the JSONL output of the"
                + " Spark scoring job (a file, or the folder of part files Spark writes), in its rank order.",
            "The documents must be in the project already (matched by id); unknown ids fail the import, named,"
                + " unless --skip-unknown."})
public final class QueueImportCommand implements Callable<Integer> {

    @Mixin
    ProjectApi api;

    @Option(names = "--picks", required = true, paramLabel = "PATH",
            description = "JSONL with an 'id' per line (and 'rank', if any), or a folder of such part files")
    Path picks;

    @Option(names = "--skip-unknown", description = "leave out ids that are not documents of the project, and count them")
    boolean skipUnknown;

    @Override
    public Integer call() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ids", ids(picks));
        body.put("skipUnknown", skipUnknown);
        JsonNode r = api.call("POST", api.path("/queue/import"), Json.write(body));
        System.out.println(r.path("queued").asInt() + " documents first in the queue (" + r.path("waiting").asInt()
                + " imported picks waiting in all); " + r.path("labeled").asInt() + " already labeled"
                + (r.path("unknownCount").asInt() > 0 ? "; " + r.path("unknownCount").asInt() + " unknown ids left out: "
                + ProjectApi.printable(r.path("unknown").toString()) : ""));
        return 0;
    }

    /** The ids of a picks file or folder, by rank when the lines have one, else in file order. */
    static List<String> ids(Path path) {
        List<Path> files;
        try {
            if (Files.isDirectory(path)) {
                try (Stream<Path> list = Files.list(path)) {
                    files = list.filter(f -> f.getFileName().toString().matches("part-.*\\.json(l)?")).sorted().toList();
                }
                if (files.isEmpty()) {
                    throw new QuarryException(path + ": no part-*.json files (write the picks as JSONL: --out PICKS.jsonl)");
                }
            } else if (Files.isRegularFile(path)) {
                files = List.of(path);
            } else {
                throw new QuarryException(path + ": no such file or folder");
            }
            List<JsonNode> rows = new ArrayList<>();
            for (Path f : files) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonNode n = parse(f, i + 1, lines.get(i));
                    if (!n.path("id").isTextual() || n.path("id").asText().isBlank()) {
                        throw new QuarryException(f + ":" + (i + 1) + ": id: missing or not a string");
                    }
                    rows.add(n);
                }
            }
            if (rows.isEmpty()) {
                throw new QuarryException(path + ": no picks");
            }
            if (rows.stream().allMatch(n -> n.path("rank").isIntegralNumber())) {
                rows.sort(Comparator.comparingInt(n -> n.path("rank").asInt()));
            }
            return rows.stream().map(n -> n.get("id").asText()).toList();
        } catch (IOException e) {
            throw new QuarryException("cannot read " + path + ": " + e, e);
        }
    }

    private static JsonNode parse(Path file, int line, String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            if (n == null || !n.isObject()) {
                throw new QuarryException(file + ":" + line + ": not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new QuarryException(file + ":" + line + ": not valid JSON");
        }
    }
}
