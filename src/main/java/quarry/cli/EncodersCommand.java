package quarry.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;

@Command(name = "encoders", mixinStandardHelpOptions = true,
        description = "List the encoders installed under the models folder, and any folder that is broken.")
public final class EncodersCommand implements Callable<Integer> {

    @Option(names = "--models", paramLabel = "DIR", description = "models folder (default: ${DEFAULT-VALUE})")
    Path models = Encoders.modelsDir();

    @Override
    public Integer call() {
        List<Encoders.Installed> installed = Encoders.list(models);
        System.out.printf("%-24s %5s %7s %-7s %-12s %-11s %s%n",
                "NAME", "DIM", "TOKENS", "POOLING", "ENGINE", "LICENCE", "STATUS");
        for (Encoders.Installed e : installed) {
            if (e.ok()) {
                ModelSpec s = e.spec();
                System.out.printf("%-24s %5d %7d %-7s %-12s %-11s %s%n", e.name(), s.dimension(), s.maxTokens(),
                        s.pooling().name().toLowerCase(java.util.Locale.ROOT), s.engine(), s.licence(),
                        Encoders.DEFAULT.equals(e.name()) ? "ok (default)" : "ok");
            } else {
                System.out.printf("%-24s %5s %7s %-7s %-12s %-11s broken: %s%n", e.name(), "-", "-", "-", "-", "-",
                        e.problem());
            }
        }
        if (installed.isEmpty()) {
            System.out.println("(none in " + models + ")");
        }
        return 0;
    }
}
