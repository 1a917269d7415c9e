package quarry.cli;

import picocli.CommandLine.Option;

/** How an encoder runs on this machine: batch size and predictors at once. */
public final class RunMixin {

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "texts per forward pass (default: ${DEFAULT-VALUE})")
    public int batch;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "1",
            description = "predictors running at once; CPU threads are shared among them (default: ${DEFAULT-VALUE})")
    public int pool;
}
