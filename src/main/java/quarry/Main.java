package quarry;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import quarry.bench.BenchCommand;
import quarry.cli.BackupCommand;
import quarry.cli.DemoCommand;
import quarry.cli.EmbedCommand;
import quarry.cli.EncodersCommand;
import quarry.cli.ExportModelCommand;
import quarry.cli.FinetuneCommand;
import quarry.cli.MachineLabelsCommand;
import quarry.cli.PredictCommand;
import quarry.cli.QueueImportCommand;
import quarry.cli.RestoreCommand;
import quarry.cli.ServeCommand;
import quarry.cli.SimulateCommand;
import quarry.core.QuarryException;
import quarry.djl.DjlSettings;

/**
 * {@code quarry <command>}: the command-line entry point. It sits in the root package because it
 * joins the product commands ({@code quarry.cli}) with the benchmarks ({@code quarry.bench}),
 * which use the product but must never be used by it.
 */
@Command(name = "quarry", mixinStandardHelpOptions = true, version = "quarry 0.1.0",
        description = "Active-learning workbench for text classification.",
        subcommands = {ServeCommand.class, DemoCommand.class, EmbedCommand.class, EncodersCommand.class, FinetuneCommand.class,
            SimulateCommand.class, BenchCommand.class,
            MachineLabelsCommand.class, ExportModelCommand.class, PredictCommand.class, QueueImportCommand.class,
            BackupCommand.class, RestoreCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command and returns its exit code (0 ok, 1 failed, 2 bad usage). */
    public static int run(String... args) {
        DjlSettings.apply();
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler(Main::badUsage);
        cli.setExecutionExceptionHandler(Main::failed);
        return cli.execute(args);
    }

    /** One line that says what is wrong, and where help is. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage() + " (see --help)");
        return 2;
    }

    private static int failed(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        String message = e instanceof QuarryException ? e.getMessage() : e.toString();
        cli.getErr().println("quarry " + cli.getCommandName() + ": error: " + firstLine(message));
        if (System.getenv("QUARRY_DEBUG") != null) {
            e.printStackTrace(cli.getErr());
        }
        return 1;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
