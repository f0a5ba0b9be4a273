// Every GraphQL operation the portal sends, and nothing else.  `bc-gateway portal-manifest`
// collects each /* GraphQL */ template below into the gateway's safelist, so a gateway in
// `safelist` mode runs the portal and refuses any other document — the subscriptions at the end,
// sent over WebSocket (live.js), included.  Keep them literal: no ${…}.

export const SESSION = /* GraphQL */ `
query PortalSession {
  companies { id name customerNumber active }
  me { number name blocked currencyCode }
}`;

export const DASHBOARD = /* GraphQL */ `
query PortalDashboard {
  me {
    number
    name
    blocked
    balance { amount currencyCode }
    overdueAmount { amount currencyCode }
    creditLimit { amount currencyCode }
    availableCredit { amount currencyCode }
  }
  orders(first: 5) {
    nodes { number orderDate status externalDocumentNumber totalIncludingTax { amount currencyCode } }
  }
  invoices(first: 5, filter: { status: [OPEN] }) {
    nodes { number dueDate isOverdue daysOverdue status remainingAmount { amount currencyCode } }
  }
}`;

export const ORDERS = /* GraphQL */ `
query PortalOrders($first: Int!, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    nodes {
      number
      orderDate
      requestedDeliveryDate
      externalDocumentNumber
      status
      open
      totalIncludingTax { amount currencyCode }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const ORDER = /* GraphQL */ `
query PortalOrder($number: String!) {
  order(number: $number) {
    number
    orderDate
    requestedDeliveryDate
    externalDocumentNumber
    status
    open
    fullyShipped
    totalExcludingTax { amount currencyCode }
    totalTax { amount currencyCode }
    totalIncludingTax { amount currencyCode }
    shipTo { name line1 line2 city postalCode country }
    lines {
      sequence
      lineType
      number
      description
      quantity
      unitOfMeasureCode
      shippedQuantity
      invoicedQuantity
      shipmentDate
      unitPrice { amount currencyCode }
      amountIncludingTax { amount currencyCode }
      item { number blocked }
    }
    shipments {
      number
      postingDate
      shipmentMethodCode
      carrier { code name }
      trackingNumber
      trackingUrl
      proofOfDelivery { id fileName byteSize }
    }
    invoices {
      number
      invoiceDate
      dueDate
      status
      isOverdue
      daysOverdue
      remainingAmount { amount currencyCode }
      totalIncludingTax { amount currencyCode }
    }
  }
}`;

export const REORDER = /* GraphQL */ `
mutation PortalReorder($input: ReorderInput!) {
  reorder(input: $input) {
    __typename
    ... on PlacedOrder {
      order { number status totalIncludingTax { amount currencyCode } }
      skippedLines { sequence itemNumber code message }
    }
    ... on WriteError { code message correlationId lineProblems { sequence itemNumber code message } }
  }
}`;

export const INVOICES = /* GraphQL */ `
query PortalInvoices($first: Int!, $after: String, $filter: InvoiceFilter) {
  invoices(first: $first, after: $after, filter: $filter) {
    nodes {
      number
      invoiceDate
      dueDate
      status
      orderNumber
      isOverdue
      daysOverdue
      remainingAmount { amount currencyCode }
      totalIncludingTax { amount currencyCode }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const INVOICE_PDF = /* GraphQL */ `
query PortalInvoicePdf($number: String!) {
  invoice(number: $number) { number pdfUrl }
}`;

export const CREDIT_MEMOS = /* GraphQL */ `
query PortalCreditMemos($first: Int!, $after: String) {
  creditMemos(first: $first, after: $after) {
    nodes {
      number
      creditMemoDate
      status
      invoiceNumber
      externalDocumentNumber
      totalIncludingTax { amount currencyCode }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CREDIT_MEMO_PDF = /* GraphQL */ `
query PortalCreditMemoPdf($number: String!) {
  creditMemo(number: $number) { number pdfUrl }
}`;

export const PROOF_OF_DELIVERY = /* GraphQL */ `
query PortalProofOfDelivery($number: String!) {
  shipment(number: $number) { number proofOfDelivery { id fileName downloadUrl } }
}`;

export const STATEMENT = /* GraphQL */ `
query PortalStatement($from: Date!, $to: Date) {
  statement(from: $from, to: $to) {
    from
    to
    currencyCode
    openingBalance { amount currencyCode }
    totalDebit { amount currencyCode }
    totalCredit { amount currencyCode }
    closingBalance { amount currencyCode }
    entries {
      postingDate
      type
      documentNumber
      description
      dueDate
      debit { amount currencyCode }
      credit { amount currencyCode }
      balance { amount currencyCode }
    }
  }
}`;

export const STATEMENT_PDF = /* GraphQL */ `
query PortalStatementPdf($from: Date!, $to: Date) {
  statement(from: $from, to: $to) { pdfUrl }
}`;

export const STOCK = /* GraphQL */ `
query PortalStock($search: String, $first: Int!, $after: String) {
  items(search: $search, first: $first, after: $after) {
    nodes {
      number
      name
      baseUnitOfMeasure { code }
      unitPrice { amount currencyCode }
      availability { onHand committed available nextReceiptDate nextReceiptQuantity }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const QUERIES = /* GraphQL */ `
query PortalQueries($first: Int!, $after: String, $status: [QueryStatus!]) {
  queries(first: $first, after: $after, status: $status) {
    nodes {
      id
      number
      subject
      category
      status
      relatedDocument { type number }
      createdAt
      lastActivityAt
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CUSTOMER_QUERY = /* GraphQL */ `
query PortalQuery($id: ID!) {
  query(id: $id) {
    id
    number
    subject
    category
    status
    relatedDocument { type number }
    createdAt
    messages { id sequence author authorName body createdAt }
  }
}`;

export const SUBMIT_QUERY = /* GraphQL */ `
mutation PortalSubmitQuery($input: SubmitQueryInput!) {
  submitQuery(input: $input) {
    __typename
    ... on CustomerQuery { id number }
    ... on WriteError { code message correlationId }
  }
}`;

export const REPLY_TO_QUERY = /* GraphQL */ `
mutation PortalReplyToQuery($input: ReplyToQueryInput!) {
  replyToQuery(input: $input) {
    __typename
    ... on CustomerQuery { id number status }
    ... on WriteError { code message correlationId }
  }
}`;

// Live updates (updates.js): what a view needs to show a change without asking again.
export const ORDER_UPDATED = /* GraphQL */ `
subscription PortalOrderUpdated {
  orderUpdated {
    number
    status
    open
    totalIncludingTax { amount currencyCode }
    lines { sequence quantity shippedQuantity invoicedQuantity shipmentDate }
  }
}`;

export const DOCUMENT_POSTED = /* GraphQL */ `
subscription PortalDocumentPosted {
  documentPosted {
    __typename
    ... on Shipment {
      number
      orderNumber
      postingDate
      shipmentMethodCode
      carrier { code name }
      trackingNumber
      trackingUrl
      proofOfDelivery { id fileName byteSize }
    }
    ... on Invoice {
      number
      orderNumber
      invoiceDate
      dueDate
      status
      isOverdue
      daysOverdue
      remainingAmount { amount currencyCode }
      totalIncludingTax { amount currencyCode }
    }
    ... on CreditMemo { number totalIncludingTax { amount currencyCode } }
  }
}`;

export const QUERY_UPDATED = /* GraphQL */ `
subscription PortalQueryUpdated {
  queryUpdated {
    id
    number
    subject
    status
    createdAt
    lastActivityAt
    messages { id sequence author authorName body createdAt }
  }
}`;

export const STOCK_CHANGED = /* GraphQL */ `
subscription PortalStockChanged($numbers: [String!]!) {
  itemAvailabilityChanged(numbers: $numbers) {
    number
    unitPrice { amount currencyCode }
    availability { onHand committed available nextReceiptDate nextReceiptQuantity }
  }
}`;
