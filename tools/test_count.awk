# tools/test_count.awk: count the tests in the output of tools/test.sh.
#
#   awk -v kept=DIR -f tools/test_count.awk LOG
#   awk -v only="regress isolation" -f tools/test_count.awk LOG
#
# The output is cut into suites by the lines "+++ <suite> install-check"
# that PGXS prints (regress, isolation, tap; PostgreSQL 16 and later put
# "# " before them), that the Makefile's installcheck-pgtap prints (pgtap),
# "+++ fuzz +++" and "+++ style +++".
# Tests:
#   regress, isolation: one per file. PostgreSQL 15 prints "test foo ... ok"
#     or "... FAILED" (a parallel group indents the name instead of "test"),
#     16 and later TAP lines "ok 1 - foo" / "not ok 2 - bar";
#     "failed (ignored)" counts as passed, as pg_regress counts it. A test
#     line with no verdict is a test pg_regress gave up on (a missing
#     expected file ends the run): failed. Finished with "... tests passed"
#     or "... tests failed".
#   pgtap, tap (the TAP::Harness summaries of pg_prove and prove): one per
#     assertion. "Files=F, Tests=N" gives the assertions that ran; each file
#     of the "Test Summary Report" adds its failed assertions and those it
#     planned but never ran (a script that died half-way), or one failed
#     test when it failed without either (no plan, non-zero exit).
#   fuzz: one test, passed on "fuzz: no findings", failed on "fuzz: N
#     findings".
#   clients: one per "ok"/"not ok" line of test/clients/run.sh, finished
#     by its "N passed, M failed" line (or "clients: not run").
#   style: one test, passed on "style: laid out", failed on "style: files"
#     (after the list of files tools/pgindent.sh would change); none on
#     "style: not checked" (a PostgreSQL other than 15).
# A suite that did not finish (no summary line) could not run: it counts as
# one failed test; only names the suites LOG should have (default all seven;
# tools/package.sh runs regress and isolation). Printed: the failing TAP
# output, the fuzz findings, the suites that could not run, where the logs
# are kept (kept, on failure), and last exactly "N passed, M failed". Exit
# status 1 iff M > 0.

BEGIN {
    if (only == "")
        only = "regress isolation pgtap tap clients fuzz style"
    nsuites = split(only, suites, " ")
}

function close_tap_file(    n) {
    if (!in_file)
        return
    n = file_failed + missing
    if (n == 0 && died)
        n = 1
    fail[suite] += n
    pass[suite] -= file_failed      # Tests= counts them among those that ran
    in_file = 0
}

/^(# )?\+\+\+ [a-z]+ install-check/ || /^\+\+\+ (clients|fuzz|style) \+\+\+$/ {
    suite = $1 == "#" ? $3 : $2
    in_report = 0
    next
}

suite == "regress" || suite == "isolation" {
    if (/ \.\.\. ok( |$)/ || / \.\.\. failed \(ignored\)/ || /^ok [0-9]+ /)
        pass[suite]++
    else if (/ \.\.\. FAILED/ || /^(test |     )[^ ]+ +\.\.\. / || /^not ok [0-9]+ /)
        fail[suite]++
    else if (/tests? (passed|failed)/)
        done[suite] = 1
    next
}

suite == "pgtap" || suite == "tap" {
    # the failing output: failed assertions with their diagnostics, the
    # errors psql printed, and the summary report
    if (/^Test Summary Report/)
        in_report = 1
    if (in_report || /^not ok / || /^# / || /^psql:/ ||
        (context && /^(LINE [0-9]+:|HINT:|DETAIL:|CONTEXT:|QUERY:|  )/)) {
        output[suite] = output[suite] $0 "\n"
        context = !in_report
    } else
        context = 0

    if (in_report && /\(Wstat: .* Tests: [0-9]+ Failed: [0-9]+\)$/) {
        close_tap_file()
        in_file = 1
        file_failed = $0
        sub(/.*Failed: /, "", file_failed)
        sub(/\)$/, "", file_failed)
        file_failed += 0
        missing = 0
        died = 0
    } else if (in_report && /^  (Non-zero exit status|Non-zero wait status|Parse errors):/)
        died = 1
    if (in_report && /You planned [0-9]+ tests? but ran [0-9]+/) {
        planned = $0
        sub(/.*You planned /, "", planned)
        sub(/ .*/, "", planned)
        ran = $0
        sub(/.* but ran /, "", ran)
        sub(/[^0-9].*/, "", ran)
        if (planned - ran > 0)
            missing = planned - ran
    }
    if (/^Files=[0-9]+, Tests=[0-9]+/) {
        close_tap_file()
        tests = $0
        sub(/.*Tests=/, "", tests)
        sub(/,.*/, "", tests)
        pass[suite] += tests
        done[suite] = 1
    }
    next
}

suite == "fuzz" {
    if (/^!! /)
        findings = 1
    if (findings)
        output[suite] = output[suite] $0 "\n"
    if (/^fuzz: no findings/) {
        pass[suite]++
        done[suite] = 1
    } else if (/^fuzz: [0-9]+ findings/) {
        fail[suite]++
        done[suite] = 1
    }
}

suite == "clients" {
    if (/^clients: not run/)
        done[suite] = 1
    else if (/^ok /)
        pass[suite]++
    else if (/^not ok /) {
        fail[suite]++
        output[suite] = output[suite] $0 "\n"
    } else if (/^[0-9]+ passed, [0-9]+ failed$/)
        done[suite] = 1
    next
}

suite == "style" {
    if (/^style: not checked/)
        done[suite] = 1
    else if (/^style: laid out/) {
        pass[suite]++
        done[suite] = 1
    } else if (/^style: files/) {
        fail[suite]++
        done[suite] = 1
    } else
        output[suite] = output[suite] $0 "\n"
}

END {
    for (i = 1; i <= nsuites; i++) {
        s = suites[i]
        if (fail[s] > 0 && output[s] != "")
            printf "== failing %s output\n%s", s, output[s]
    }
    for (i = 1; i <= nsuites; i++) {
        s = suites[i]
        if (!done[s]) {
            print "!! " s ": could not run (it printed no summary)"
            fail[s]++
        }
        passed += pass[s]
        failed += fail[s]
    }
    if (failed > 0 && kept != "")
        print "The copy of the tree (results/, tmp_check/log) and the server log are kept in " kept
    printf "%d passed, %d failed\n", passed, failed
    exit failed > 0
}
