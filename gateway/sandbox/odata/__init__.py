"""OData query options over in-memory rows: $filter, $select, $expand, $orderby, $top, $skip, paging."""
