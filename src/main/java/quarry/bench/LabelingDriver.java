package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 *
 * <p>With several servers (on one database), annotator i talks to server i mod n; when its server
 * stops answering (killed, say), it moves to the next one and sends its pending label again with
 * the same request id, as a page would after a failed request: stored before the failure, the
 * label is replayed (200), else stored now (201). Either way it counts as acknowledged once.
 */
public final class LabelingDriver {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param labelsStored      labels the servers acknowledged as stored (201, or 200 for a label resent after a failure)
     * @param leasedTwice       items handed to more than one annotator
     * @param failures          replies that were neither 200 nor 201, with their bodies (first few)
     * @param latenciesMicros   label → next item, every reply, sorted
     * @param modelVersions     distinct model versions seen in replies (retrains while labeling)
     * @param seconds           wall time
     * @param acknowledged      the annotation id of every acknowledged label
     * @param resent            labels sent again to another server after theirs failed
     */
    public record Result(int labelsStored, int leasedTwice, List<String> failures, long[] latenciesMicros,
            int modelVersions, double seconds, List<Long> acknowledged, int resent) {

        public long percentileMicros(double q) {
            if (latenciesMicros.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * latenciesMicros.length) - 1;
            return latenciesMicros[Math.max(0, Math.min(latenciesMicros.length - 1, i))];
        }
    }

    private final List<RestClient> servers;
    private final String project;
    private final Map<String, String> gold;
    private final long thinkMillis;
    private final long periodMillis;

    /**
     * @param base    the server, e.g. http://localhost:7070
     * @param gold    the label to give each document id (the annotators' answers)
     */
    public LabelingDriver(URI base, String project, Map<String, String> gold) {
        this(base, project, gold, 0);
    }

    /** @param thinkMillis how long an annotator reads an item before labeling it (0: no pause) */
    public LabelingDriver(URI base, String project, Map<String, String> gold, long thinkMillis) {
        this(List.of(base), project, gold, thinkMillis, 0);
    }

    /**
     * @param bases        the servers, one database behind them all
     * @param periodMillis each annotator posts a label every this many milliseconds, however long
     *                     the replies take (0: as {@code thinkMillis} says); with k annotators the
     *                     team labels k × 1000 / periodMillis a second
     */
    public LabelingDriver(List<URI> bases, String project, Map<String, String> gold, long thinkMillis,
            long periodMillis) {
        this.servers = bases.stream().map(RestClient::new).toList();
        this.project = project;
        this.gold = gold;
        this.thinkMillis = thinkMillis;
        this.periodMillis = periodMillis;
    }

    /** What the annotator threads of one run share. */
    private final class Run {
        final Map<String, String> leasedTo = new ConcurrentHashMap<>();
        final AtomicInteger stored = new AtomicInteger();
        final AtomicInteger twice = new AtomicInteger();
        final AtomicInteger resent = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());
        final java.util.Set<Integer> versions = ConcurrentHashMap.newKeySet();
        final long start = System.nanoTime();
    }

    /** Each token labels until {@code target} labels are stored in all. */
    public Result run(List<String> tokens, int target) throws Exception {
        Run run = new Run();
        ExecutorService pool = Executors.newFixedThreadPool(tokens.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                int who = i;
                running.add(pool.submit(() -> {
                    annotate(who, tokens.get(who), target, tokens.size(), run);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long[] sorted = run.latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new Result(run.stored.get(), run.twice.get(), List.copyOf(run.failures), sorted, run.versions.size(),
                (System.nanoTime() - run.start) / 1e9, List.copyOf(run.acknowledged), run.resent.get());
    }

    /** The annotator's server: the one it started on, or the next that answers after that one failed. */
    private final class Seat {
        private int server;
        private int failovers;

        Seat(int who) {
            server = who % servers.size();
        }

        RestClient.Reply send(String token, String method, String path, String body) throws IOException,
                InterruptedException {
            while (true) {
                try {
                    return servers.get(server).send(token, method, path, body);
                } catch (IOException e) {
                    if (++failovers > 3 * servers.size()) {
                        throw e;
                    }
                    server = (server + 1) % servers.size();
                    Thread.sleep(50);
                }
            }
        }
    }

    private void annotate(int who, String token, int target, int annotators, Run run) throws IOException,
            InterruptedException {
        Seat seat = new Seat(who);
        String queuePath = "/api/projects/" + project + "/queue?n=1";
        JsonNode reply = seat.send(token, "GET", queuePath, null).json();
        int idle = 0;
        // Spread the team's first labels over one period, so the rate is even from the start.
        long next = System.nanoTime() + (periodMillis * 1_000_000L * who) / Math.max(1, annotators);
        while (run.stored.get() < target && run.failures.size() < 10) {
            JsonNode items = reply.path("items");
            if (items.isEmpty()) {
                if (++idle > 200) {
                    run.failures.add(token.substring(0, 6) + ": the queue stayed empty");
                    return;
                }
                Thread.sleep(20);
                reply = seat.send(token, "GET", queuePath, null).json();
                continue;
            }
            idle = 0;
            String doc = items.get(0).get("id").asText();
            String previous = run.leasedTo.putIfAbsent(doc, token);
            if (previous != null && !previous.equals(token)) {
                run.twice.incrementAndGet();
            }
            if (periodMillis > 0) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
                next = Math.max(next + periodMillis * 1_000_000L, System.nanoTime());
            } else if (thinkMillis > 0) {
                Thread.sleep(thinkMillis);
            }
            String body = JSON.writeValueAsString(Map.of("document", doc, "labels", List.of(gold.get(doc)),
                    "requestId", UUID.randomUUID().toString()));
            int failoversBefore = seat.failovers;
            long t0 = System.nanoTime();
            RestClient.Reply r = seat.send(token, "POST", "/api/projects/" + project + "/annotations?next=true", body);
            long micros = (System.nanoTime() - t0) / 1000;
            boolean resent = seat.failovers > failoversBefore;
            if (resent) {
                run.resent.incrementAndGet(); // its latency includes the failed server's: not a label → next item time
            } else {
                run.latencies.add(micros);
            }
            if (r.status() == 201 || (r.status() == 200 && resent)) {
                run.stored.incrementAndGet();
                run.acknowledged.add(r.json().path("annotation").path("id").asLong());
            } else {
                run.failures.add(r.status() + " " + r.body());
            }
            reply = r.json();
            run.versions.add(reply.path("model").path("version").asInt());
        }
    }
}
