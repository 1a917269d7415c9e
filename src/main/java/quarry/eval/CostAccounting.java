package quarry.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import quarry.core.DomainException;

/**
 * What labeling costs, and what active learning saved against labeling at random: cost per label,
 * money and hours spent, cost per accuracy point gained, and labels, hours and money saved to
 * reach the same accuracy. Pure arithmetic over numbers the caller gathered (no I/O). Every
 * figure says where it comes from, or why it cannot be given; none is ever made up.
 */
public final class CostAccounting {

    /** The most seconds on one item anyone may report: an hour (a longer stretch is not time on the item). */
    public static final double MAX_SECONDS_ON_ITEM = 3600;

    /** Highest hourly rate or cost per label taken: far above any real one, low enough to catch a typo of zeros. */
    public static final double MAX_RATE = 1_000_000;

    /** Highest random-sampling ratio taken as a reference (random needs this many times the labels). */
    public static final double MAX_RANDOM_RATIO = 100;

    private CostAccounting() {
    }

    /**
     * A project's cost settings, all optional. At most one of {@code hourlyRate} (money per hour of
     * people's time on items) and {@code costPerLabel} (a fixed price per label given); either needs
     * a {@code currency} (ISO 4217, e.g. EUR). {@code randomRatio}: how many times the labels random
     * sampling needs to reach the same accuracy, as a simulation on similar data measured it, with
     * {@code randomRatioSource} saying which; a live project has no random curve of its own.
     */
    public record Settings(String currency, Double hourlyRate, Double costPerLabel, Double randomRatio,
            String randomRatioSource) {

        public static final Settings NONE = new Settings(null, null, null, null, null);

        /** These settings, or a 400 naming the field at fault. */
        public Settings checked() {
            if (currency != null && !currency.matches("[A-Z]{3}")) {
                throw invalid("currency", "a three-letter ISO 4217 code in capitals such as USD or EUR, got '"
                        + printable(currency) + "'");
            }
            if (hourlyRate != null && costPerLabel != null) {
                throw invalid("costPerLabel", "give either hourlyRate or costPerLabel, not both");
            }
            positive("hourlyRate", hourlyRate, MAX_RATE);
            positive("costPerLabel", costPerLabel, MAX_RATE);
            if ((hourlyRate != null || costPerLabel != null) && currency == null) {
                throw invalid("currency", "a rate needs its currency code, e.g. \"currency\": \"EUR\"");
            }
            positive("randomRatio", randomRatio, MAX_RANDOM_RATIO);
            if (randomRatioSource != null) {
                if (randomRatio == null) {
                    throw invalid("randomRatioSource", "describes randomRatio, which is missing");
                }
                if (randomRatioSource.isBlank() || randomRatioSource.length() > 200
                        || randomRatioSource.chars().anyMatch(Character::isISOControl)) {
                    throw invalid("randomRatioSource", "1-200 characters without control characters");
                }
            }
            return this;
        }

        /** How money is reckoned: {@code hourly}, {@code perLabel}, or {@code none} (time only). */
        public String basis() {
            return hourlyRate != null ? "hourly" : costPerLabel != null ? "perLabel" : "none";
        }

        private static void positive(String field, Double value, double max) {
            if (value != null && !(value > 0 && value <= max)) {
                throw invalid(field, "a number above 0 and at most " + format(max) + ", got " + value);
            }
        }
    }

    /**
     * One figure: its value (null when it cannot be given), its unit, where it comes from, and why
     * it is missing when it is.
     */
    public record Figure(Double value, String unit, String source, String unavailable) {

        static Figure of(double value, String unit, String source) {
            return new Figure(value, unit, source, null);
        }

        static Figure missing(String unit, String why) {
            return new Figure(null, unit, null, why);
        }

        public boolean known() {
            return value != null;
        }
    }

    /**
     * People's annotations in a project: how many (labels and skips, undone ones too: the time was
     * spent; imported labels are not people's work here), how many of them are labels (not skips),
     * and the time on item measured for those that carry one.
     */
    public record Effort(int annotations, int labels, List<Double> seconds) {
        public Effort {
            seconds = List.copyOf(seconds);
            if (annotations < 0 || labels < 0 || labels > annotations || seconds.size() > annotations) {
                throw new IllegalArgumentException("inconsistent effort: " + annotations + " annotations, " + labels
                        + " labels, " + seconds.size() + " timed");
            }
        }
    }

    /**
     * The figures. {@code basis} as in {@link Settings#basis()}; {@code ratioToRandom}: how many
     * times the labels random sampling needs for the same accuracy (measured or stored).
     */
    public record Report(String currency, String basis, Figure secondsPerLabel, Figure costPerLabel, Figure hoursSpent,
            Figure moneySpent, Figure accuracyGained, Figure costPerAccuracyPoint, Figure targetAccuracy,
            Figure ratioToRandom, Figure labelsSaved, Figure hoursSaved, Figure moneySaved) {
    }

    /**
     * A live project's figures. {@code estimated}: its own curve of estimated accuracy (in [0, 1])
     * against labels, named by {@code accuracyName}; null when there is none yet. Savings come
     * only from a stored {@code randomRatio}: the project has no random curve to compare with.
     */
    public static Report live(Settings settings, Effort effort, LearningCurve estimated, String accuracyName) {
        Figure seconds;
        Figure hours;
        if (effort.seconds().isEmpty()) {
            String why = effort.annotations() == 0 ? "nothing labeled yet" : "none of the " + effort.annotations()
                    + " annotations carries a measured time on item (the labeling page sends it; API clients may"
                    + " send secondsOnItem)";
            seconds = Figure.missing("s", why);
            hours = Figure.missing("h", why);
        } else {
            int timed = effort.seconds().size();
            double median = median(effort.seconds());
            double sum = effort.seconds().stream().mapToDouble(Double::doubleValue).sum();
            int untimed = effort.annotations() - timed;
            seconds = Figure.of(median, "s", "median time on item of the " + timed + " of " + effort.annotations()
                    + " annotations (labels and skips) that carry one");
            hours = Figure.of((sum + untimed * median) / 3600, "h", "measured time on item of " + timed
                    + " annotations" + (untimed == 0 ? "" : " plus " + untimed + " without a measure counted at the"
                    + " median"));
        }
        Figure perLabel = costPerLabel(settings, seconds);
        Figure spent;
        if (settings.hourlyRate() != null) {
            spent = hours.known() ? Figure.of(hours.value() * settings.hourlyRate(), settings.currency(), "hours spent ("
                    + format(hours.value()) + ") × hourly rate " + format(settings.hourlyRate()))
                    : Figure.missing(settings.currency(), hours.unavailable());
        } else if (settings.costPerLabel() != null) {
            spent = Figure.of(effort.labels() * settings.costPerLabel(), settings.currency(), effort.labels()
                    + " labels × cost per label " + format(settings.costPerLabel()) + " (skips cost nothing)");
        } else {
            spent = Figure.missing(null, NO_RATE);
        }
        Gain gain = gain(estimated, accuracyName, "the first estimate", perLabel, settings.currency());
        LearningCurve.Point now = estimated == null ? null : last(estimated);
        Figure target = now == null ? Figure.missing("%", NO_ESTIMATE) : Figure.of(100 * now.score(), "%",
                accuracyName + " now, at " + now.labels() + " labels");
        Figure ratio;
        Figure saved;
        if (settings.randomRatio() == null) {
            String why = "a live project has no random-sampling curve of its own; store the ratio a simulation"
                    + " measured (randomRatio in the cost settings) to estimate the savings";
            ratio = Figure.missing("×", why);
            saved = Figure.missing("labels", why);
        } else {
            double r = settings.randomRatio();
            String source = "stored reference: random sampling needs " + format(r) + "× the labels"
                    + (settings.randomRatioSource() == null ? "" : " (" + settings.randomRatioSource() + ")");
            ratio = Figure.of(r, "×", source);
            saved = now == null ? Figure.missing("labels", NO_ESTIMATE) : Figure.of((r - 1) * now.labels(), "labels",
                    format(r) + " × " + now.labels() + " labels that random sampling would need, less the "
                    + now.labels() + " used; " + source);
        }
        return new Report(settings.currency(), settings.basis(), seconds, perLabel, hours, spent, gain.points(),
                gain.costPerPoint(), target, ratio, saved, hoursSaved(saved, seconds), moneySaved(saved, perLabel,
                        settings.currency()));
    }

    /**
     * A simulation's figures for one strategy, with time on item assumed ({@code secondsPerLabel}),
     * from its curve of measured accuracy ({@code accuracyName}) and, when random sampling ran, the
     * random curve ({@code random}, else null): savings are at the highest accuracy both reach.
     */
    public static Report simulated(Settings settings, double secondsPerLabel, LearningCurve strategy,
            LearningCurve random, String accuracyName) {
        if (!(secondsPerLabel > 0 && secondsPerLabel <= MAX_SECONDS_ON_ITEM)) {
            throw new IllegalArgumentException("seconds per label must be in (0, " + format(MAX_SECONDS_ON_ITEM)
                    + "], got " + secondsPerLabel);
        }
        Figure seconds = Figure.of(secondsPerLabel, "s", "assumed (--seconds-per-label)");
        Figure perLabel = costPerLabel(settings, seconds);
        int labels = last(strategy).labels();
        Figure hours = Figure.of(labels * secondsPerLabel / 3600, "h", labels + " labels × " + format(secondsPerLabel)
                + " s");
        Figure spent = perLabel.known() ? Figure.of(labels * perLabel.value(), settings.currency(), labels
                + " labels × cost per label") : Figure.missing(null, NO_RATE);
        Gain gain = gain(strategy, accuracyName, "the first evaluated round", perLabel, settings.currency());
        Figure target;
        Figure ratio;
        Figure saved;
        if (random == null) {
            String why = "random sampling was not simulated (add random or random:plain to --strategy)";
            target = Figure.missing("%", why);
            ratio = Figure.missing("×", why);
            saved = Figure.missing("labels", why);
        } else {
            double reached = Math.min(last(strategy).score(), last(random).score());
            // Both curves end at or above it, so both reach it (the first crossing counts).
            double ours = strategy.labelsToReach(reached).orElseThrow();
            double theirs = random.labelsToReach(reached).orElseThrow();
            String both = " to reach " + format(100 * reached) + "% " + accuracyName;
            target = Figure.of(100 * reached, "%", "the lower of the two curves' final " + accuracyName);
            OptionalDouble times = LearningCurve.timesFewer(OptionalDouble.of(theirs), OptionalDouble.of(ours));
            ratio = times.isPresent() ? Figure.of(times.getAsDouble(), "×", "random's labels (" + format(theirs)
                    + ") ÷ this strategy's (" + format(ours) + ")" + both) : Figure.missing("×", "the strategy"
                    + " reached it with no labels");
            saved = Figure.of(theirs - ours, "labels", "random's " + format(theirs) + " labels less this strategy's "
                    + format(ours) + both + " (mean curves, interpolated between rounds)");
        }
        return new Report(settings.currency(), settings.basis(), seconds, perLabel, hours, spent, gain.points(),
                gain.costPerPoint(), target, ratio, saved, hoursSaved(saved, seconds), moneySaved(saved, perLabel,
                        settings.currency()));
    }

    private static final String NO_RATE = "no hourly rate or cost per label is set";
    private static final String NO_ESTIMATE = "no estimate of accuracy yet";

    private record Gain(Figure points, Figure costPerPoint) {
    }

    /** Accuracy points gained from a curve's first point to its last, and what each cost. */
    private static Gain gain(LearningCurve curve, String accuracyName, String firstName, Figure perLabel,
            String currency) {
        if (curve == null || curve.size() < 2) {
            String why = "needs two points of " + accuracyName + " (model versions with an estimate), has "
                    + (curve == null ? 0 : curve.size());
            return new Gain(Figure.missing("points", why), Figure.missing(currency, why));
        }
        LearningCurve.Point first = curve.points().get(0);
        LearningCurve.Point now = last(curve);
        double points = 100 * (now.score() - first.score());
        Figure gained = Figure.of(points, "points", accuracyName + " from " + format(100 * first.score()) + "% at "
                + first.labels() + " labels (" + firstName + ") to " + format(100 * now.score()) + "% at "
                + now.labels() + " labels");
        int bought = now.labels() - first.labels();
        Figure cost;
        if (!perLabel.known()) {
            cost = Figure.missing(currency, perLabel.unavailable());
        } else if (!(points > 0)) {
            cost = Figure.missing(currency, "no accuracy gained since " + firstName);
        } else {
            cost = Figure.of(bought * perLabel.value() / points, currency, "the " + bought + " labels after "
                    + firstName + " × cost per label ÷ " + format(points) + " points gained");
        }
        return new Gain(gained, cost);
    }

    private static Figure costPerLabel(Settings settings, Figure seconds) {
        if (settings.costPerLabel() != null) {
            return Figure.of(settings.costPerLabel(), settings.currency(), "the project's fixed cost per label");
        }
        if (settings.hourlyRate() == null) {
            return Figure.missing(null, NO_RATE);
        }
        if (!seconds.known()) {
            return Figure.missing(settings.currency(), seconds.unavailable());
        }
        return Figure.of(seconds.value() * settings.hourlyRate() / 3600, settings.currency(), format(seconds.value())
                + " s on item (" + seconds.source() + ") × hourly rate " + format(settings.hourlyRate()));
    }

    private static Figure hoursSaved(Figure labelsSaved, Figure seconds) {
        if (!labelsSaved.known() || !seconds.known()) {
            return Figure.missing("h", labelsSaved.known() ? seconds.unavailable() : labelsSaved.unavailable());
        }
        return Figure.of(labelsSaved.value() * seconds.value() / 3600, "h", "labels saved × " + format(seconds.value())
                + " s per label");
    }

    private static Figure moneySaved(Figure labelsSaved, Figure perLabel, String currency) {
        if (!labelsSaved.known() || !perLabel.known()) {
            return Figure.missing(currency, labelsSaved.known() ? perLabel.unavailable() : labelsSaved.unavailable());
        }
        return Figure.of(labelsSaved.value() * perLabel.value(), currency, "labels saved × cost per label "
                + format(perLabel.value()));
    }

    /** The median of a non-empty list (the mean of the middle two for an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static LearningCurve.Point last(LearningCurve curve) {
        return curve.points().get(curve.size() - 1);
    }

    /** A number as a person reads it: up to 4 significant decimals, no exponent. */
    static String format(double x) {
        String s = String.format(Locale.ROOT, "%.4f", x);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }

    private static String printable(String s) {
        String cut = s.length() > 20 ? s.substring(0, 20) + "…" : s;
        return cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static DomainException.InvalidInput invalid(String field, String message) {
        return new DomainException.InvalidInput("bad_request", "cost settings: " + field + ": " + message,
                Map.of("field", field));
    }
}
