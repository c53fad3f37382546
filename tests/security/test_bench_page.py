"""The load-test page exists only when BANLI_BENCH is on."""

from django.test import TestCase, override_settings


class BenchPageTests(TestCase):
    def test_there_is_no_bench_page_in_normal_operation(self):
        self.assertEqual(self.client.get("/bench/bare/").status_code, 404)

    @override_settings(ROOT_URLCONF="config.bench_urls")
    def test_the_bench_urlconf_serves_a_bare_page_without_queries(self):
        with self.assertNumQueries(0):
            response = self.client.get("/bench/bare/")
        self.assertContains(response, "第20行")
