package quarry.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.bundle.BundleManifest;
import quarry.bundle.ModelBundle;

/**
 * {@code quarry export-model}: downloads a project's serving model from a running server as a
 * bundle folder that {@code quarry predict} and the Spark jobs run without the server. It goes
 * through the REST API, as {@code machine-labels} does: the server's session is the one owner of
 * the project's models, and a server holds its workspace folder locked while it runs.
 */
@Command(name = "export-model", mixinStandardHelpOptions = true,
        description = {"Export a project's serving model from a running server as a portable bundle folder: the"
                + " encoder, the head, labels, thresholds and provenance, every file with its SHA-256.",
            "Predict with it by 'quarry predict --model DIR', on this machine or another."})
public final class ExportModelCommand implements Callable<Integer> {

    @Mixin
    ProjectApi api;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the bundle folder to write (must not exist)")
    Path out;

    @Override
    public Integer call() {
        BundleManifest m = api.download(api.path("/model/bundle"), in -> ModelBundle.unzip(in, out));
        System.out.printf(Locale.ROOT, "wrote %s: project %s, model version %d (%d labels seen, %d classes, encoder %s)%s%n",
                out, m.project(), m.modelVersion(), m.labelsSeen(), m.labels().size(), m.encoderId(),
                m.safeToAccept() == null ? "; no safe-to-accept threshold"
                        : String.format(Locale.ROOT, "; safe to accept at confidence >= %.4f", m.safeToAccept().threshold()));
        return 0;
    }
}
