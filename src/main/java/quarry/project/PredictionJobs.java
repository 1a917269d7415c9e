package quarry.project;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.DomainException;
import quarry.store.Records.Job;

/**
 * Batch predictions too large for one request: the input is streamed to a file, a job embeds and
 * predicts it in chunks on a thread of its own, and results land in the database page by page, so
 * clients poll progress and read results while it runs, and no request waits on the whole batch.
 */
public final class PredictionJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PredictionJobs.class);
    /** Texts embedded per step: large enough to batch by length well, small enough for visible progress. */
    static final int CHUNK = 1024;
    /** The kind of the job rows a fine-tune keeps ({@link FineTuneJobs}); they have no results. */
    static final String FINETUNE = "finetune";

    private final Workspace workspace;
    private final Path dir;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quarry-jobs");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    PredictionJobs(Workspace workspace, Path dir) {
        this.workspace = workspace;
        this.dir = dir;
    }

    /** Jobs that were running when the server stopped are marked so; their results so far stay. */
    void recover() {
        // On a database other servers share, a running job may well be running there: leave it be.
        for (ProjectSession p : workspace.store().database().shared() ? List.<ProjectSession>of() : workspace.projects()) {
            for (Job j : workspace.store().jobs().list(p.project().id())) {
                if (j.state().equals("queued") || j.state().equals("running")) {
                    workspace.store().jobs().update(j.id(), "failed", j.done(), stoppedMessage(j.kind()));
                }
            }
        }
        // No job runs yet: any input file left is from a job that will never run again.
        if (Files.isDirectory(dir)) {
            try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                left.forEach(Workspace::deleteTree);
            } catch (IOException e) {
                LOG.warn("cannot clean up {}: {}", dir, e.getMessage());
            }
        }
    }

    /** Why a job of {@code kind} failed when the server that held it stopped. */
    static String stoppedMessage(String kind) {
        return kind.equals(FINETUNE)
                ? "the server stopped while this fine-tune ran; the project kept its encoder; start it again"
                : "the server stopped while this job ran; results so far are kept; submit the input again for the rest";
    }

    /** The ids of the jobs this server has accepted and not yet finished. */
    Collection<String> held() {
        return List.copyOf(held);
    }

    /**
     * Streams a JSONL body (one {@code {"id": ..., "text": ...}} per line; id optional) to disk,
     * checking every line, and starts a job. Nothing is created when a line is bad.
     */
    public Job submit(ProjectSession project, InputStream body, String owner) throws IOException {
        if (project.modelStatus().version() == 0) {
            throw project.noModel();
        }
        Files.createDirectories(dir);
        String id = UUID.randomUUID().toString();
        Path file = dir.resolve(id + ".jsonl");
        long lines = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body,
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT))); BufferedWriter out = Files.newBufferedWriter(file)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Item item = parse(line, lineNo);
                out.write(Json.write(Map.of("id", item.id(), "text", item.text())));
                out.newLine();
                lines++;
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            Files.deleteIfExists(file);
            throw new DomainException.InvalidInput("bad_jsonl", "the body is not valid UTF-8 (after line " + lines
                    + " of texts)", Map.of());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        if (lines == 0) {
            Files.deleteIfExists(file);
            throw new DomainException.InvalidInput("the body holds no texts: send JSONL, one {\"id\": ..., \"text\": ...} per line");
        }
        // Held before it is stored, so that no other server's watch sees it unbeaten (see JobWatch).
        held.add(id);
        Job job;
        try {
            job = workspace.store().jobs().add(id, project.project().id(), "predict", lines, owner);
        } catch (RuntimeException e) {
            held.remove(id);
            Files.deleteIfExists(file);
            throw e;
        }
        runner.submit(() -> run(project, job, file));
        return job;
    }

    private record Item(String id, String text) {
    }

    private static Item parse(String line, long lineNo) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new DomainException.InvalidInput("bad_jsonl", "line " + lineNo + ": not valid JSON", Map.of("line", lineNo));
        }
        JsonNode text = node == null ? null : node.get("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new DomainException.InvalidInput("bad_jsonl", "line " + lineNo + ": field 'text': missing or empty",
                    Map.of("line", lineNo, "field", "text"));
        }
        JsonNode id = node.get("id");
        return new Item(id == null || id.isNull() ? Long.toString(lineNo) : id.asText(), text.asText());
    }

    private void run(ProjectSession project, Job job, Path file) {
        long done = 0;
        try (BufferedReader in = Files.newBufferedReader(file)) {
            if (cancelledInStore(job.id())) {
                return; // cancelled through another server while it waited here
            }
            workspace.store().jobs().update(job.id(), "running", 0, null);
            List<String> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            String line;
            while (true) {
                line = in.readLine();
                if (line != null) {
                    JsonNode n = Json.MAPPER.readTree(line);
                    ids.add(n.get("id").asText());
                    texts.add(n.get("text").asText());
                }
                if (texts.size() == CHUNK || (line == null && !texts.isEmpty())) {
                    // A cancel said to another server on a shared database reaches this one through the store.
                    if (cancelled.remove(job.id()) || cancelledInStore(job.id())) {
                        workspace.store().jobs().update(job.id(), "cancelled", done, null);
                        return;
                    }
                    List<String> results = new ArrayList<>();
                    for (Views.TextPrediction p : project.predict(ids, texts)) {
                        results.add(Json.write(p));
                    }
                    workspace.store().jobs().addResults(job.id(), done, results);
                    done += results.size();
                    ids.clear();
                    texts.clear();
                }
                if (line == null) {
                    break;
                }
            }
            workspace.store().jobs().update(job.id(), "done", done, null);
        } catch (IOException | RuntimeException e) {
            LOG.error("prediction job {} failed", job.id(), e);
            workspace.store().jobs().update(job.id(), "failed", done, e.getMessage());
        } finally {
            held.remove(job.id());
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot delete {}", file);
            }
        }
    }

    /** Asks a job to stop after its current chunk. */
    public boolean cancel(Job job) {
        if (job.kind().equals(FINETUNE)) {
            throw new DomainException.Conflict("finetune_job", "job " + job.id() + " is a fine-tune: cancel it with"
                    + " DELETE /api/projects/{project}/finetune", Map.of("job", job.id()));
        }
        if (job.state().equals("queued") || job.state().equals("running")) {
            if (held.contains(job.id())) {
                cancelled.add(job.id());
                if (job.state().equals("queued")) {
                    workspace.store().jobs().update(job.id(), "cancelled", 0, null);
                }
            } else {
                // Another server's job: its runner sees the state before its next chunk.
                workspace.store().jobs().update(job.id(), "cancelled", job.done(), null);
            }
            return true;
        }
        return false;
    }

    private boolean cancelledInStore(String id) {
        return workspace.store().database().shared()
                && workspace.store().jobs().find(id).map(j -> j.state().equals("cancelled")).orElse(false);
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
