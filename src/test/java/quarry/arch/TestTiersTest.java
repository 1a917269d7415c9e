package quarry.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTag;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every test class names its tier, so that {@code -Dgroups=unit} runs all the fast tests and
 * {@code -DexcludedGroups=browser} leaves out exactly the browser ones.
 */
@ArchTag("unit")
@AnalyzeClasses(packages = "quarry", importOptions = ImportOption.OnlyIncludeTests.class)
class TestTiersTest {

    static final Set<String> TIERS = Set.of("unit", "integration", "browser", "data");

    private static final DescribedPredicate<JavaClass> HAVE_TESTS = DescribedPredicate.describe("have tests",
            c -> c.getMethods().stream().anyMatch(m -> m.isAnnotatedWith(Test.class)
                    || m.isAnnotatedWith(ParameterizedTest.class)));

    private static final ArchCondition<JavaClass> BE_IN_A_TIER = new ArchCondition<>("carry @Tag of " + TIERS) {
        @Override
        public void check(JavaClass item, ConditionEvents events) {
            // JUnit gives a @Nested class the tags of the classes around it (and @Tag is inherited).
            List<String> tags = new java.util.ArrayList<>();
            for (Class<?> c = item.reflect(); c != null; c = c.getEnclosingClass()) {
                Arrays.stream(c.getAnnotationsByType(Tag.class)).map(Tag::value).forEach(tags::add);
            }
            if (tags.isEmpty() || !TIERS.containsAll(tags)) {
                events.add(SimpleConditionEvent.violated(item, item.getName() + " has tags " + tags
                        + ", not one or more of " + TIERS));
            }
        }
    };

    @ArchTest
    static final ArchRule EVERY_TEST_CLASS_HAS_A_TIER = classes().that(HAVE_TESTS).should(BE_IN_A_TIER);
}
