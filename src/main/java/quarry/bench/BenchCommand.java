package quarry.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints a table for docs/BENCHMARKS.md.",
        subcommands = {ServerBenchCommand.class, EncoderBenchCommand.class, LearnerBenchCommand.class, IndexBenchCommand.class,
            MemoryBenchCommand.class, LiveBenchCommand.class, SemiExplore.class, FineTuneBenchCommand.class,
            SuspectsBenchCommand.class, ScaleBenchCommand.class, AgreementBenchCommand.class, DriftBenchCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
