/* /permissions: the catalogue. */
#include "roles/handlers.h"

#include "roles/render.h"
#include "roles/usecases.h"

enum vs_err vs_h_permissions_list(struct vs_worker *w, struct vs_request *req)
{
	int64_t skip, limit;
	struct vs_permission_page page;
	enum vs_err rc = vs_req_skip_limit(req, &skip, &limit);
	if (rc == VS_OK)
		rc = vs_permissions_list(w->app, req->arena, skip, limit, &page, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, vs_render_permission(&page.items[i]));
	vs_res_array(req, items, page.total);
	return VS_OK;
}

