/*
 * The run's vCenter simulator (tests/lib/vcsim.sh, tests/vcsim/main.go) speaks the vSphere
 * Web Services API as the vCenter adapter will: vim25 SOAP over HTTPS with libcurl,
 * verified with the CA it wrote, replies read with libxml2. RetrieveServiceContent, Login
 * with wrong and right credentials, and a RetrievePropertiesEx over a container view that
 * finds exactly one VM with config.template = true, the one the harness says it marked.
 * Everything comes from VS_TEST_VCSIM_*; without a running simulator every test fails.
 */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "suites.h"
#include "util.h"

#define NS_SOAPENV "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_XSI	   "http://www.w3.org/2001/XMLSchema-instance"
#define NS_VIM	   "urn:vim25"

struct vim {
	CURL *h;
	struct curl_slist *hdrs;
	char *buf;
	size_t len;
	long status;
	char err[CURL_ERROR_SIZE];
};

struct reply {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	long status;
};

static const char *env(const char *name)
{
	const char *v = getenv(name);

	EXPECT(v && *v, "%s is not set: tests/integration/run starts vcsim and sets it", name);
	return v && *v ? v : NULL;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct vim *v = arg;

	v->buf = xrealloc(v->buf, v->len + size * n + 1);
	memcpy(v->buf + v->len, data, size * n);
	v->len += size * n;
	v->buf[v->len] = '\0';
	return size * n;
}

/* A client of VS_TEST_VCSIM_URL with its own cookie jar (the session), verifying the server
 * with ca_file (NULL: the system's CAs). NULL, with a failure reported, without the URL. */
static struct vim *vim_open(const char *ca_file)
{
	const char *url = env("VS_TEST_VCSIM_URL");
	struct vim *v;

	if (!url)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	v->h = curl_easy_init();
	if (!v->h)
		abort();
	v->hdrs = curl_slist_append(NULL, "Content-Type: text/xml; charset=utf-8");
	v->hdrs = curl_slist_append(v->hdrs, "SOAPAction: \"urn:vim25/6.5\"");
	curl_easy_setopt(v->h, CURLOPT_URL, url);
	curl_easy_setopt(v->h, CURLOPT_HTTPHEADER, v->hdrs);
	curl_easy_setopt(v->h, CURLOPT_COOKIEFILE, ""); /* the vmware_soap_session cookie */
	curl_easy_setopt(v->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(v->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file)
		curl_easy_setopt(v->h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(v->h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(v->h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(v->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(v->h, CURLOPT_WRITEDATA, v);
	curl_easy_setopt(v->h, CURLOPT_ERRORBUFFER, v->err);
	return v;
}

static void vim_close(struct vim *v)
{
	if (!v)
		return;
	curl_easy_cleanup(v->h);
	curl_slist_free_all(v->hdrs);
	free(v->buf);
	free(v);
}

/* POSTs one SOAP envelope around body. The curl code; the reply in v->buf, v->status. */
static CURLcode vim_post(struct vim *v, const char *body)
{
	char *env_xml = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				  "<soapenv:Envelope xmlns:soapenv=\"" NS_SOAPENV "\" "
				  "xmlns:xsi=\"" NS_XSI "\"><soapenv:Body>%s</soapenv:Body>"
				  "</soapenv:Envelope>",
				  body);
	CURLcode rc;

	free(v->buf);
	v->buf = NULL;
	v->len = 0;
	v->status = 0;
	v->err[0] = '\0';
	curl_easy_setopt(v->h, CURLOPT_POSTFIELDS, env_xml);
	rc = curl_easy_perform(v->h);
	curl_easy_getinfo(v->h, CURLINFO_RESPONSE_CODE, &v->status);
	free(env_xml);
	return rc;
}

/* vim_post, then the reply parsed with the soapenv, vim and xsi prefixes registered.
 * false (reported) when it was not answered or is not XML. */
static bool vim_call(struct vim *v, const char *what, const char *body, struct reply *out)
{
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	if (!v)
		return false;
	rc = vim_post(v, body);
	if (!EXPECT(rc == CURLE_OK, "%s: no answer from %s: %s (%s)", what,
		    getenv("VS_TEST_VCSIM_URL"), curl_easy_strerror(rc), v->err))
		return false;
	out->status = v->status;
	out->doc = xmlReadMemory(v->buf ? v->buf : "", (int)v->len, "reply.xml", NULL,
				 XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!EXPECT(out->doc != NULL, "%s: the reply (HTTP %ld) is not XML: %.300s", what,
		    v->status, v->buf ? v->buf : ""))
		return false;
	out->xp = xmlXPathNewContext(out->doc);
	if (!out->xp)
		abort();
	xmlXPathRegisterNs(out->xp, BAD_CAST "soapenv", BAD_CAST NS_SOAPENV);
	xmlXPathRegisterNs(out->xp, BAD_CAST "vim", BAD_CAST NS_VIM);
	xmlXPathRegisterNs(out->xp, BAD_CAST "xsi", BAD_CAST NS_XSI);
	return true;
}

static void reply_free(struct reply *r)
{
	if (r->xp)
		xmlXPathFreeContext(r->xp);
	if (r->doc)
		xmlFreeDoc(r->doc);
	memset(r, 0, sizeof(*r));
}

/* The string value of an XPath expression, relative to node (NULL: the document); "" when
 * nothing matches. Free with free(). */
static char *xp_str(struct reply *r, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;
	char *s;

	if (!r->xp)
		return xstrdup("");
	o = xmlXPathNodeEval(node ? node : xmlDocGetRootElement(r->doc), BAD_CAST expr, r->xp);
	if (!o)
		return xstrdup("");
	if (o->type != XPATH_STRING) {
		xmlXPathObjectPtr c = xmlXPathConvertString(o); /* frees o */
		o = c;
	}
	s = xstrdup(o && o->stringval ? (const char *)o->stringval : "");
	xmlXPathFreeObject(o);
	return s;
}

/* Nodes matching expr (free with xmlXPathFreeObject; NULL when none). */
static xmlXPathObjectPtr xp_nodes(struct reply *r, const char *expr)
{
	xmlXPathObjectPtr o;

	if (!r->xp)
		return NULL;
	o = xmlXPathEvalExpression(BAD_CAST expr, r->xp);
	if (o && (!o->nodesetval || o->nodesetval->nodeNr == 0)) {
		xmlXPathFreeObject(o);
		o = NULL;
	}
	return o;
}

/* Text with the five XML specials escaped, for element content. Free with free(). */
static char *xml_escape(const char *s)
{
	size_t n = 0;
	char *out, *p;

	for (const char *c = s; *c; c++)
		n += (*c == '&' || *c == '<' || *c == '>' || *c == '"' || *c == '\'') ? 6 : 1;
	out = p = xmalloc(n + 1);
	for (; *s; s++) {
		switch (*s) {
		case '&':
			p = stpcpy(p, "&amp;");
			break;
		case '<':
			p = stpcpy(p, "&lt;");
			break;
		case '>':
			p = stpcpy(p, "&gt;");
			break;
		case '"':
			p = stpcpy(p, "&quot;");
			break;
		case '\'':
			p = stpcpy(p, "&apos;");
			break;
		default:
			*p++ = *s;
		}
	}
	*p = '\0';
	return out;
}

/* The managed object references this service instance names (RetrieveServiceContent). */
struct content {
	char *session_manager, *property_collector, *view_manager, *root_folder;
};

static void content_free(struct content *c)
{
	free(c->session_manager);
	free(c->property_collector);
	free(c->view_manager);
	free(c->root_folder);
	memset(c, 0, sizeof(*c));
}

#define RSC_BODY                                                                                   \
	"<RetrieveServiceContent xmlns=\"urn:vim25\">"                                             \
	"<_this type=\"ServiceInstance\">ServiceInstance</_this></RetrieveServiceContent>"

static bool retrieve_service_content(struct vim *v, struct content *c)
{
	struct reply r;
	bool ok = false;

	memset(c, 0, sizeof(*c));
	if (!vim_call(v, "RetrieveServiceContent", RSC_BODY, &r))
		return false;
	if (EXPECT(r.status == 200, "RetrieveServiceContent: HTTP %ld: %.300s", r.status, v->buf)) {
		const char *rv =
		    "/soapenv:Envelope/soapenv:Body/vim:RetrieveServiceContentResponse/"
		    "vim:returnval/";
		char *expr;

		expr = xasprintf("%svim:sessionManager", rv);
		c->session_manager = xp_str(&r, NULL, expr);
		free(expr);
		expr = xasprintf("%svim:propertyCollector", rv);
		c->property_collector = xp_str(&r, NULL, expr);
		free(expr);
		expr = xasprintf("%svim:viewManager", rv);
		c->view_manager = xp_str(&r, NULL, expr);
		free(expr);
		expr = xasprintf("%svim:rootFolder", rv);
		c->root_folder = xp_str(&r, NULL, expr);
		free(expr);
		ok = EXPECT(*c->session_manager && *c->property_collector && *c->view_manager &&
				*c->root_folder,
			    "RetrieveServiceContent lacks a sessionManager, propertyCollector, "
			    "viewManager or rootFolder: %.500s",
			    v->buf);
	}
	reply_free(&r);
	return ok;
}

/* Login; the reply (the caller frees it) and whether it was answered and parsed. */
static bool login(struct vim *v, const struct content *c, const char *user, const char *pass,
		  struct reply *r)
{
	char *u = xml_escape(user), *p = xml_escape(pass), *sm = xml_escape(c->session_manager);
	char *body =
	    xasprintf("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">%s</_this>"
		      "<userName>%s</userName><password>%s</password></Login>",
		      sm, u, p);
	bool ok = vim_call(v, "Login", body, r);

	free(body);
	free(u);
	free(p);
	free(sm);
	return ok;
}

/* The reply is a SOAP fault whose detail is a vim25 fault of type want (xsi:type, e.g.
 * "InvalidLogin"), as vCenter sends them: HTTP 500, <detail><InvalidLoginFault
 * xsi:type="InvalidLogin">. */
static bool expect_fault(struct vim *v, struct reply *r, const char *what, const char *want)
{
	char *type, *faultcode;
	bool ok;

	ok = EXPECT(r->status == 500, "%s: HTTP %ld, not 500 with a fault: %.300s", what, r->status,
		    v->buf);
	faultcode = xp_str(r, NULL, "/soapenv:Envelope/soapenv:Body/soapenv:Fault/faultcode");
	type =
	    xp_str(r, NULL, "/soapenv:Envelope/soapenv:Body/soapenv:Fault/detail/*[1]/@xsi:type");
	ok = EXPECT(*faultcode, "%s: no soapenv:Fault: %.300s", what, v->buf) && ok;
	ok = EXPECT(strcmp(type, want) == 0, "%s: fault detail of type '%s', not '%s': %.300s",
		    what, type, want, v->buf) &&
	     ok;
	free(type);
	free(faultcode);
	return ok;
}

static const char *vcsim_user(void)
{
	return env("VS_TEST_VCSIM_USER");
}

static const char *vcsim_password(void)
{
	return env("VS_TEST_VCSIM_PASSWORD");
}

/* A client logged in with the right credentials; NULL (reported) otherwise. */
static struct vim *session(struct content *c)
{
	struct vim *v = vim_open(env("VS_TEST_VCSIM_CA_FILE"));
	const char *user = vcsim_user(), *pass = vcsim_password();
	struct reply r;
	bool ok = false;

	memset(c, 0, sizeof(*c));
	if (!v || !user || !pass || !retrieve_service_content(v, c))
		goto done;
	if (login(v, c, user, pass, &r)) {
		ok = EXPECT(r.status == 200, "Login with the right credentials: HTTP %ld: %.300s",
			    r.status, v->buf);
		reply_free(&r);
	}
done:
	if (!ok) {
		vim_close(v);
		content_free(c);
		return NULL;
	}
	return v;
}

static void test_service_content_over_verified_tls(void)
{
	const char *ca = env("VS_TEST_VCSIM_CA_FILE");
	struct vim *v = vim_open(ca);
	struct content c;
	struct reply r;

	if (!v || !ca)
		goto done;
	if (vim_call(v, "RetrieveServiceContent", RSC_BODY, &r)) {
		const char *about = "/soapenv:Envelope/soapenv:Body/"
				    "vim:RetrieveServiceContentResponse/vim:returnval/vim:about/";
		char *expr = xasprintf("%svim:apiType", about);
		char *api_type = xp_str(&r, NULL, expr);

		EXPECT(r.status == 200, "RetrieveServiceContent: HTTP %ld: %.300s", r.status,
		       v->buf);
		EXPECT(strcmp(api_type, "VirtualCenter") == 0,
		       "about.apiType is '%s', not VirtualCenter (a vCenter, not an ESXi host)",
		       api_type);
		free(api_type);
		free(expr);
		reply_free(&r);
	}
	if (retrieve_service_content(v, &c))
		content_free(&c);
	vim_close(v);

	/* verification is real: with the system's CAs instead of the simulator's, the
	 * certificate is refused */
	v = vim_open(NULL);
	if (v) {
		CURLcode rc = vim_post(v, RSC_BODY);

		EXPECT(
		    rc == CURLE_PEER_FAILED_VERIFICATION,
		    "with the system's CAs, the simulator's certificate was not refused: %s (%s)",
		    curl_easy_strerror(rc), v->err);
	}
done:
	vim_close(v);
}

static void test_login_refuses_wrong_credentials(void)
{
	struct vim *v = vim_open(env("VS_TEST_VCSIM_CA_FILE"));
	const char *user = vcsim_user(), *pass = vcsim_password();
	struct content c;
	struct reply r;
	char *wrong;

	if (!v || !user || !pass || !retrieve_service_content(v, &c))
		goto done;
	wrong = xasprintf("%s-wrong", pass);
	if (login(v, &c, user, wrong, &r)) {
		expect_fault(v, &r, "Login with a wrong password", "InvalidLogin");
		reply_free(&r);
	}
	if (login(v, &c, "nobody-such", pass, &r)) {
		expect_fault(v, &r, "Login with a wrong user name", "InvalidLogin");
		reply_free(&r);
	}
	free(wrong);

	/* no session came of them: a call that needs one is refused (CreateContainerView;
	 * vcsim, unlike vCenter, answers RetrieveProperties(Ex) without a session) */
	{
		char *vm = xml_escape(c.view_manager), *root = xml_escape(c.root_folder);
		char *body = xasprintf("<CreateContainerView xmlns=\"urn:vim25\">"
				       "<_this type=\"ViewManager\">%s</_this>"
				       "<container type=\"Folder\">%s</container>"
				       "<type>VirtualMachine</type><recursive>true</recursive>"
				       "</CreateContainerView>",
				       vm, root);

		if (vim_call(v, "CreateContainerView without a session", body, &r)) {
			expect_fault(v, &r, "CreateContainerView without a session",
				     "NotAuthenticated");
			reply_free(&r);
		}
		free(body);
		free(vm);
		free(root);
	}

	/* and the right credentials still work on the same connection */
	if (login(v, &c, user, pass, &r)) {
		char *name =
		    xp_str(&r, NULL,
			   "/soapenv:Envelope/soapenv:Body/vim:LoginResponse/vim:returnval/"
			   "vim:userName");

		EXPECT(r.status == 200, "Login with the right credentials: HTTP %ld: %.300s",
		       r.status, v->buf);
		EXPECT(strcmp(name, user) == 0, "the session's userName is '%s', not '%s'", name,
		       user);
		free(name);
		reply_free(&r);
	}
	content_free(&c);
done:
	vim_close(v);
}

static void test_one_vm_is_the_template(void)
{
	const char *want = env("VS_TEST_VCSIM_TEMPLATE");
	struct content c;
	struct vim *v = session(&c);
	struct reply r;
	char *view = NULL, *body, *vm, *root;
	xmlXPathObjectPtr objs = NULL;
	xmlNodeSetPtr set;
	int templates = 0, vms = 0;

	if (!v || !want)
		goto done;

	/* every VirtualMachine below the root folder */
	vm = xml_escape(c.view_manager);
	root = xml_escape(c.root_folder);
	body = xasprintf("<CreateContainerView xmlns=\"urn:vim25\">"
			 "<_this type=\"ViewManager\">%s</_this>"
			 "<container type=\"Folder\">%s</container>"
			 "<type>VirtualMachine</type><recursive>true</recursive>"
			 "</CreateContainerView>",
			 vm, root);
	free(vm);
	free(root);
	if (vim_call(v, "CreateContainerView", body, &r)) {
		EXPECT(r.status == 200, "CreateContainerView: HTTP %ld: %.300s", r.status, v->buf);
		view = xp_str(&r, NULL,
			      "/soapenv:Envelope/soapenv:Body/vim:CreateContainerViewResponse/"
			      "vim:returnval[@type='ContainerView']");
		reply_free(&r);
	}
	free(body);
	if (!view || !EXPECT(*view, "CreateContainerView returned no ContainerView"))
		goto done;

	/* name and config.template of each, through the view */
	{
		char *pc = xml_escape(c.property_collector), *vw = xml_escape(view);

		body =
		    xasprintf("<RetrievePropertiesEx xmlns=\"urn:vim25\">"
			      "<_this type=\"PropertyCollector\">%s</_this>"
			      "<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet>"
			      "<pathSet>config.template</pathSet></propSet>"
			      "<objectSet><obj type=\"ContainerView\">%s</obj><skip>true</skip>"
			      "<selectSet xsi:type=\"TraversalSpec\"><name>view</name>"
			      "<type>ContainerView</type><path>view</path><skip>false</skip>"
			      "</selectSet></objectSet></specSet><options/></RetrievePropertiesEx>",
			      pc, vw);
		free(pc);
		free(vw);
	}
	if (!vim_call(v, "RetrievePropertiesEx", body, &r)) {
		free(body);
		goto done;
	}
	free(body);
	EXPECT(r.status == 200, "RetrievePropertiesEx: HTTP %ld: %.300s", r.status, v->buf);
	{
		char *token =
		    xp_str(&r, NULL,
			   "/soapenv:Envelope/soapenv:Body/vim:RetrievePropertiesExResponse/"
			   "vim:returnval/vim:token");

		EXPECT(!*token, "RetrievePropertiesEx paged its few VMs (token %s)", token);
		free(token);
	}
	objs = xp_nodes(&r, "/soapenv:Envelope/soapenv:Body/vim:RetrievePropertiesExResponse/"
			    "vim:returnval/vim:objects");
	set = objs ? objs->nodesetval : NULL;
	if (EXPECT(set != NULL, "RetrievePropertiesEx found no VM: %.300s", v->buf)) {
		for (int i = 0; set && i < set->nodeNr; i++) {
			xmlNodePtr o = set->nodeTab[i];
			char *moref = xp_str(&r, o, "vim:obj[@type='VirtualMachine']");
			char *name = xp_str(&r, o, "vim:propSet[vim:name='name']/vim:val");
			char *tmpl =
			    xp_str(&r, o, "vim:propSet[vim:name='config.template']/vim:val");
			char *tmpl_type = xp_str(&r, o,
						 "vim:propSet[vim:name='config.template']/vim:val/"
						 "@xsi:type");

			vms++;
			EXPECT(*moref && *name, "a VM without its reference or name: %.300s",
			       v->buf);
			EXPECT(strcmp(tmpl_type, "xsd:boolean") == 0 &&
				   (strcmp(tmpl, "true") == 0 || strcmp(tmpl, "false") == 0),
			       "VM %s: config.template is '%s' of type '%s', not an xsd:boolean",
			       name, tmpl, tmpl_type);
			if (strcmp(tmpl, "true") == 0) {
				templates++;
				EXPECT(strcmp(name, want) == 0,
				       "VM %s (%s) is a template, but the harness marked %s", name,
				       moref, want);
			} else {
				EXPECT(strcmp(name, want) != 0,
				       "%s (%s), which the harness marked, is not a template", name,
				       moref);
			}
			free(moref);
			free(name);
			free(tmpl);
			free(tmpl_type);
		}
	}
	if (objs)
		xmlXPathFreeObject(objs);
	objs = NULL;
	EXPECT(templates == 1, "%d of %d VMs are templates, not exactly one", templates, vms);
	EXPECT(vms >= 2, "only %d VM(s): the model has ordinary VMs besides the template", vms);
	reply_free(&r);

done:
	if (objs)
		xmlXPathFreeObject(objs);
	free(view);
	if (v)
		content_free(&c);
	vim_close(v);
}

static int suite_init(void)
{
	xmlInitParser();
	return 0;
}

static int suite_cleanup(void)
{
	xmlCleanupParser();
	return 0;
}

static int add_vcsim_suite(void)
{
	static const struct it_test tests[] = {
		{ "RetrieveServiceContent over TLS verified with the simulator's CA, refused without it", test_service_content_over_verified_tls },
		{ "Login with a wrong password or user name is an InvalidLogin fault and makes no session", test_login_refuses_wrong_credentials },
		{ "RetrievePropertiesEx over a container view finds exactly one template, the one marked", test_one_vm_is_the_template },
		{ NULL, NULL },
	};

	return it_add_suite("vcsim", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_vcsim_suite)
