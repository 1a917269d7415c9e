package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import quarry.bench.LiveResult.Ack;
import quarry.bench.LiveResult.Sample;
import quarry.bench.LiveResult.Served;
import quarry.bench.LiveResult.Trace;

/**
 * Annotators labeling through the REST API the way the page does: take an item, read it for a
 * while, post its gold label with {@code ?next=true} and take the next item from the reply. A
 * monitor polls the model status meanwhile. Records every served item, every stored label and
 * every poll. Any reply but 2xx or a lease conflict (409) stops the run with its status and body.
 */
final class LiveAnnotators {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MONITOR_MILLIS = 250;
    private static final long EMPTY_QUEUE_MILLIS = 100;
    /** A minute of empty queue replies: the pool cannot run dry below the budget, so the server is stuck. */
    private static final int EMPTY_QUEUE_TRIES = 600;

    private final RestClient rest;
    private final String project;
    private final Map<String, String> gold;
    private final long paceMillis;

    // Shared by the annotator threads and the monitor of one run.
    private final List<Served> served = Collections.synchronizedList(new ArrayList<>());
    private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger claimed = new AtomicInteger();
    private final AtomicInteger conflicts = new AtomicInteger();
    private volatile boolean stop;
    private long start;

    /**
     * @param project    the project's path, e.g. {@code /api/projects/live}
     * @param gold       each document id's label (the annotators' answers)
     * @param paceMillis how long an annotator holds an item before posting its label
     */
    LiveAnnotators(RestClient rest, String project, Map<String, String> gold, long paceMillis) {
        this.rest = rest;
        this.project = project;
        this.gold = gold;
        this.paceMillis = paceMillis;
    }

    /** One thread per annotator token until {@code labels} more labels are stored; the monitor polls with {@code monitorToken}. */
    Trace run(List<String> tokens, String monitorToken, int labels) throws Exception {
        start = System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(tokens.size() + 1);
        try {
            Future<?> monitor = threads.submit(stopAllOnFailure(() -> monitor(monitorToken, labels)));
            List<Future<?>> annotators = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                int who = i;
                annotators.add(threads.submit(stopAllOnFailure(() -> annotate(who, tokens.get(who), labels))));
            }
            Exception failure = null;
            for (Future<?> f : annotators) {
                failure = waitFor(f, failure);
            }
            double seconds = seconds();
            stop = true;
            failure = waitFor(monitor, failure);
            if (failure == null) {
                sample(monitorToken, labels); // the status as the last label went in
            }
            System.err.println();
            if (failure != null) {
                throw failure;
            }
            List<Served> inOrder = new ArrayList<>(served);
            inOrder.sort(Comparator.comparingInt(Served::seq));
            return new Trace(inOrder, List.copyOf(acks), List.copyOf(samples), conflicts.get(), seconds);
        } finally {
            threads.shutdownNow();
        }
    }

    /** A task that, when it fails, stops the others too rather than let them label on past a broken server. */
    private Callable<Void> stopAllOnFailure(Task task) {
        return () -> {
            try {
                task.run();
            } catch (Exception | Error e) {
                stop = true;
                throw e;
            }
            return null;
        };
    }

    private interface Task {
        void run() throws IOException, InterruptedException;
    }

    private static Exception waitFor(Future<?> f, Exception first) throws InterruptedException {
        try {
            f.get();
            return first;
        } catch (ExecutionException e) {
            return first != null ? first : e.getCause() instanceof Exception x ? x : new IllegalStateException(e);
        }
    }

    private void annotate(int who, String token, int target) throws IOException, InterruptedException {
        JsonNode reply = queue(token);
        int empty = 0;
        while (!stop) {
            JsonNode items = reply.path("items");
            if (items.isEmpty()) {
                if (++empty > EMPTY_QUEUE_TRIES) {
                    throw new IllegalStateException("annotator " + who + ": the queue stayed empty for a minute");
                }
                Thread.sleep(EMPTY_QUEUE_MILLIS);
                reply = queue(token);
                continue;
            }
            empty = 0;
            JsonNode item = items.get(0);
            String id = item.get("id").asText();
            served.add(new Served(seq.getAndIncrement(), who, id, item.get("row").asInt(),
                    item.path("why").path("strategy").asText(), item.path("modelVersion").asInt(), seconds()));
            if (paceMillis > 0) {
                Thread.sleep(paceMillis);
            }
            // A claim before posting keeps the team from overshooting the budget by one label per annotator.
            if (claimed.incrementAndGet() > target) {
                return;
            }
            String body = JSON.writeValueAsString(Map.of("document", id, "labels", List.of(gold.get(id)),
                    "requestId", UUID.randomUUID().toString()));
            RestClient.Reply r = rest.send(token, "POST", project + "/annotations?next=true", body);
            if (r.status() == 409 && r.json().path("error").asText().equals("conflict")) {
                claimed.decrementAndGet(); // leased to someone else: nothing stored, take another item
                conflicts.incrementAndGet();
                reply = queue(token);
                continue;
            }
            reply = ok("POST " + project + "/annotations?next=true", r);
            if (r.status() == 201) {
                JsonNode a = reply.get("annotation");
                acks.add(new Ack(a.get("id").asLong(), a.get("row").asInt(), seconds()));
            } else {
                claimed.decrementAndGet(); // 200 is a replay: nothing new stored
            }
        }
    }

    private JsonNode queue(String token) throws IOException, InterruptedException {
        return ok("GET " + project + "/queue?n=1", rest.send(token, "GET", project + "/queue?n=1", null));
    }

    private static JsonNode ok(String call, RestClient.Reply r) throws IOException {
        if (r.status() < 200 || r.status() >= 300) {
            throw new IllegalStateException(call + ": " + r.status() + " " + r.body());
        }
        return r.json();
    }

    private void monitor(String token, int target) throws IOException, InterruptedException {
        while (!stop) {
            sample(token, target);
            Thread.sleep(MONITOR_MILLIS);
        }
    }

    /** Records the model status, and shows progress on stderr. */
    private void sample(String token, int target) throws IOException, InterruptedException {
        JsonNode m = ok("GET " + project + "/model", rest.send(token, "GET", project + "/model", null));
        JsonNode stale = m.path("rankingStaleBy");
        double t = seconds();
        samples.add(new Sample(t, m.path("version").asInt(), m.path("labels").asInt(),
                stale.isNumber() ? stale.asInt() : null, m.path("training").asBoolean()));
        int stored = acks.size();
        System.err.printf(Locale.ROOT, "\rlabeling: %d/%d labels, model v%d, %.1f labels/s   ", stored, target,
                m.path("version").asInt(), stored / Math.max(1e-9, t));
    }

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
