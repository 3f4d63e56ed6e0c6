package htmllist

// CollapseSpace exposes collapseSpace to the tests.
var CollapseSpace = collapseSpace

// Parse reads one page's records and claims, as a fetch does.
func (c *Client) Parse(number int, body []byte, contentType string) (Page, error) {
	p, _, _, err := c.parse(number, body, contentType)
	return p, err
}
