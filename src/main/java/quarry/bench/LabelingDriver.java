package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Annotators labeling through the REST API at once, the way the page does it: take an item, post
 * its label with {@code ?next=true}, get the next item in the same reply. Records every leased item
 * (to catch one handed to two annotators) and the label → next item latency of every reply.
 */
public final class LabelingDriver {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param labelsStored      201 replies: labels the server acknowledged as stored
     * @param leasedTwice       items handed to more than one annotator
     * @param failures          replies that were neither 200 nor 201, with their bodies (first few)
     * @param latenciesMicros   label → next item, every reply, sorted
     * @param modelVersions     distinct model versions seen in replies (retrains while labeling)
     * @param seconds           wall time
     */
    public record Result(int labelsStored, int leasedTwice, List<String> failures, long[] latenciesMicros,
            int modelVersions, double seconds) {

        public long percentileMicros(double q) {
            if (latenciesMicros.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * latenciesMicros.length) - 1;
            return latenciesMicros[Math.max(0, Math.min(latenciesMicros.length - 1, i))];
        }
    }

    private final RestClient client;
    private final String project;
    private final Map<String, String> gold;

    /**
     * @param base    the server, e.g. http://localhost:7070
     * @param gold    the label to give each document id (the annotators' answers)
     */
    public LabelingDriver(URI base, String project, Map<String, String> gold) {
        this(base, project, gold, 0);
    }

    /** @param thinkMillis how long an annotator reads an item before labeling it (0: no pause) */
    public LabelingDriver(URI base, String project, Map<String, String> gold, long thinkMillis) {
        this.client = new RestClient(base);
        this.project = project;
        this.gold = gold;
        this.thinkMillis = thinkMillis;
    }

    private final long thinkMillis;

    /** Each token labels until {@code target} labels are stored in all. */
    public Result run(List<String> tokens, int target) throws Exception {
        Map<String, String> leasedTo = new ConcurrentHashMap<>();
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger twice = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.Set<Integer> versions = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(tokens.size());
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (String token : tokens) {
                running.add(pool.submit(() -> {
                    annotate(token, target, leasedTo, stored, twice, failures, latencies, versions);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new Result(stored.get(), twice.get(), List.copyOf(failures), sorted, versions.size(),
                (System.nanoTime() - start) / 1e9);
    }

    private void annotate(String token, int target, Map<String, String> leasedTo, AtomicInteger stored,
            AtomicInteger twice, List<String> failures, List<Long> latencies, java.util.Set<Integer> versions)
            throws IOException, InterruptedException {
        JsonNode reply = client.send(token, "GET", "/api/projects/" + project + "/queue?n=1", null).json();
        int idle = 0;
        while (stored.get() < target && failures.size() < 10) {
            JsonNode items = reply.path("items");
            if (items.isEmpty()) {
                if (++idle > 200) {
                    failures.add(token.substring(0, 6) + ": the queue stayed empty");
                    return;
                }
                Thread.sleep(20);
                reply = client.send(token, "GET", "/api/projects/" + project + "/queue?n=1", null).json();
                continue;
            }
            idle = 0;
            String doc = items.get(0).get("id").asText();
            String previous = leasedTo.putIfAbsent(doc, token);
            if (previous != null && !previous.equals(token)) {
                twice.incrementAndGet();
            }
            if (thinkMillis > 0) {
                Thread.sleep(thinkMillis);
            }
            String body = JSON.writeValueAsString(Map.of("document", doc, "labels", List.of(gold.get(doc)),
                    "requestId", UUID.randomUUID().toString()));
            long t0 = System.nanoTime();
            RestClient.Reply r = client.send(token, "POST", "/api/projects/" + project + "/annotations?next=true", body);
            latencies.add((System.nanoTime() - t0) / 1000);
            if (r.status() == 201) {
                stored.incrementAndGet();
            } else {
                failures.add(r.status() + " " + r.body());
            }
            reply = r.json();
            versions.add(reply.path("model").path("version").asInt());
        }
    }
}
