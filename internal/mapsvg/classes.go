package mapsvg

// The colours follow Okabe and Ito's palette, which readers with the common
// colour-vision deficiencies can tell apart.

// DomainClasses are the classes of an incident's domain (land, sea, air).
func DomainClasses() []Class {
	return []Class{
		{Key: "land", Label: "land", Color: "#d55e00"},
		{Key: "sea", Label: "sea", Color: "#0072b2"},
		{Key: "air", Label: "air", Color: "#cc79a7"},
	}
}

// StatusClasses are the classes of an incident's status, in the state
// machine's order.
func StatusClasses() []Class {
	return []Class{
		{Key: "reported", Label: "reported", Color: "#999999"},
		{Key: "corroborated", Label: "corroborated", Color: "#e69f00"},
		{Key: "verified", Label: "verified", Color: "#d55e00"},
		{Key: "unverified", Label: "unverified", Color: "#56b4e9"},
		{Key: "refuted", Label: "refuted", Color: "#009e73"},
	}
}
